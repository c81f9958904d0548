/** PHP string literals for rendered PHP files. Pure: no Pulumi import. */
import { secretPlaceholder } from "./secret-forms";

/** A PHP single-quoted string literal: only `\` and `'` need escaping there. Pure. */
export function phpString(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * A secret as a PHP expression: the placeholder the provisioning script fills with the exported
 * variable `name` written as a single-quoted literal (see secret-forms.ts), so any string works.
 */
export function phpSecret(name: string): string {
  return secretPlaceholder(name, "php");
}
