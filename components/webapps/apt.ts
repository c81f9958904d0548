/**
 * Bash fragments for package installs and secret checks, shared by the web, Frappe and network-services
 * scripts. Each fragment checks before it changes. Pure: no Pulumi import.
 */
import { shellQuote } from "../proxmox/shell-quote";

const variableName = /^[A-Z][A-Z0-9_]*$/;

/** What a secret must look like to fit where the script puts it. */
export type SecretShape =
  /** Any single line: no newline (env files, command arguments, stdin lines). */
  | "single-line"
  /** Only `[A-Za-z0-9._~-]`: safe unescaped in a URL's user-info, a .env file and a YAML scalar. */
  | "url-safe"
  /** A single line without `'`: fits a single-quoted value of a systemd environment file. */
  | "env-file";

/** Bash that stops the script early when an exported secret does not have the shape its destination needs. */
export function renderSecretCheck(name: string, shape: SecretShape): string {
  if (!variableName.test(name)) throw new Error(`bad variable name: ${name}`);
  if (shape === "url-safe") {
    return [
      `if ! [[ "$${name}" =~ ^[A-Za-z0-9._~-]+$ ]]; then`,
      `  echo ${shellQuote(`${name} may only hold the characters A-Z a-z 0-9 . _ ~ -`)} >&2`,
      "  exit 1",
      "fi",
    ].join("\n");
  }
  const bad = shape === "env-file" ? `*$'\\n'* | *"'"*` : `*$'\\n'*`;
  const rule = shape === "env-file" ? "a single line without a single quote" : "a single line";
  return [
    `case "$${name}" in`,
    `  ${bad})`,
    `    echo ${shellQuote(`${name} must be ${rule}`)} >&2`,
    "    exit 1",
    "    ;;",
    "esac",
  ].join("\n");
}
