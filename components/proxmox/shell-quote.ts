/** Quoting for bash. Pure: no Pulumi import. */

/** Quotes a value for bash so that it is taken literally, whatever it holds (one single-quoted word). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
