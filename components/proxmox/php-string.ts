/** A PHP single-quoted string literal: only `\` and `'` need escaping there. Pure. */
export function phpString(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}
