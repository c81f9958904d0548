/**
 * Checks a provisioning script makes on an exported secret before it uses it, for the places whose
 * format cannot hold every string (a value that must stay on one line, a single-quoted .env value, a
 * URL's user-info). A secret written through a placeholder form (secret-forms.ts) needs no check:
 * prefer that. Pure: no Pulumi import.
 */
import { shellQuote } from "./shell-quote";

const variableName = /^[A-Z][A-Z0-9_]*$/;

/** What a secret must look like to fit where the script puts it. */
export type SecretShape =
  /** Any single line: no newline (command arguments read per line, stdin lines). */
  | "single-line"
  /** Only `[A-Za-z0-9._~-]`: safe unescaped in a URL's user-info, a .env file and a YAML scalar. */
  | "url-safe"
  /** A single line without `'`: fits a single-quoted value of a .env or systemd environment file. */
  | "env-file"
  /** No quote, backslash, `$`, backtick or newline: fits a double- or triple-quoted ini/option/env value. */
  | "quotable";

function quotableCheck(name: string): string {
  return `case "$${name}" in *[\\"\\'\\\\\\$\\\`]* | *$'\\n'*) echo "${name} must not contain quotes, backslashes, \\$, backticks or newlines" >&2; exit 1 ;; esac`;
}

/** Bash that stops the script early when an exported secret does not have the shape its destination needs. */
export function renderSecretCheck(name: string, shape: SecretShape): string {
  if (!variableName.test(name)) throw new Error(`bad variable name: ${name}`);
  if (shape === "quotable") return quotableCheck(name);
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

/** `renderSecretCheck` for several secrets of one shape, one after the other. */
export function renderSecretChecks(names: readonly string[], shape: SecretShape): string {
  return names.map((name) => renderSecretCheck(name, shape)).join("\n");
}
