import { phpString } from "../proxmox/php-string";
/**
 * Writing PHP source from typed values: the config files of Nextcloud, Passbolt and the Snipe-IT helper are PHP
 * arrays. Pure: no Pulumi import.
 */

/** A piece of PHP source used as is (an expression such as a constant or a function call). */
export interface PhpCode {
  readonly php: string;
}

/** A value `phpValue` can write: scalars, lists, maps, and raw code. */
export type PhpValue = string | number | boolean | null | PhpCode | readonly PhpValue[] | PhpMap;

/** A PHP associative array. */
export interface PhpMap {
  readonly [key: string]: PhpValue;
}

/** Raw PHP source for `phpValue`. */
export function phpCode(php: string): PhpCode {
  return { php };
}

export { phpString };

const secretDelimiter = "PROXMOX_SITES_SECRET";

/**
 * A secret as a PHP nowdoc holding the placeholder `@@NAME@@`. The provisioning script replaces the placeholder
 * with the secret's raw value; a nowdoc takes every character literally (quotes, backslashes, `$`), so no secret
 * can break out of the string. Only a newline is unsafe, and the scripts refuse secrets that hold one.
 */
export function phpSecret(name: string): PhpCode {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`bad secret name: ${name}`);
  return phpCode(`<<<'${secretDelimiter}'\n@@${name}@@\n${secretDelimiter}`);
}

function isCode(value: PhpValue): value is PhpCode {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "php" in value;
}

/** PHP source for a value; maps and lists are written as short arrays, indented by `indent` levels of 2. */
export function phpValue(value: PhpValue, indent = 0): string {
  if (value === null) return "null";
  if (typeof value === "string") return phpString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (isCode(value)) return value.php;
  const pad = "  ".repeat(indent + 1);
  const close = "  ".repeat(indent);
  if (Array.isArray(value)) {
    const items: readonly PhpValue[] = value;
    if (items.length === 0) return "[]";
    return `[\n${items.map((item) => `${pad}${phpValue(item, indent + 1)},\n`).join("")}${close}]`;
  }
  const entries = Object.entries(value as PhpMap);
  if (entries.length === 0) return "[]";
  return `[\n${entries.map(([k, v]) => `${pad}${phpString(k)} => ${phpValue(v, indent + 1)},\n`).join("")}${close}]`;
}

/** Bash that stops the script when one of the named (exported) secrets holds a newline. */
export function renderSingleLineSecretCheck(names: readonly string[]): string {
  return names
    .map(
      (name) => `case "$${name}" in *$'\\n'*) echo "${name} must not contain a newline" >&2; exit 1;; esac`,
    )
    .join("\n");
}
