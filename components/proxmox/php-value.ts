import { phpSecret as phpSecretLiteral, phpString } from "./php-string";
/**
 * Writing PHP source from typed values: the config files of Nextcloud and Passbolt are PHP arrays. Pure: no Pulumi import.
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

/** A secret as PHP code (see `phpSecret` in php-string.ts): any string works. */
export function phpSecret(name: string): PhpCode {
  return phpCode(phpSecretLiteral(name));
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
