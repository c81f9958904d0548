/**
 * YAML files through the `yaml` package, with secrets as placeholders in YAML form: the document holds
 * `yamlSecret(NAME)` where the value goes, and `renderYaml` hands the placeholder to the provisioning
 * script as a whole scalar, which it fills with a double-quoted string of any content (secret-forms.ts).
 * Pure: no Pulumi import.
 */
import {
  stringify,
  type CreateNodeOptions,
  type DocumentOptions,
  type SchemaOptions,
  type ToStringOptions,
} from "yaml";
import { secretPlaceholder } from "./secret-forms";

/** The value to put in a document where the exported secret `name` goes. */
export function yamlSecret(name: string): string {
  return secretPlaceholder(name, "yaml");
}

const quotedPlaceholder = /"(@@[A-Z][A-Z0-9_]*:yaml@@)"/g;

/**
 * The document as YAML text. The `yaml` package writes a placeholder value as a double-quoted
 * scalar (it starts with the reserved `@`); the quotes are dropped because the filled form brings
 * its own. A placeholder written any other way (a key, a folded line) is refused.
 */
export function renderYaml(
  document: unknown,
  options?: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions,
): string {
  const text = stringify(document, options).replace(quotedPlaceholder, "$1");
  const unfilled = text.replace(/(^|: |- )@@[A-Z][A-Z0-9_]*:yaml@@$/gm, "");
  if (/@@[A-Z][A-Z0-9_]*:yaml@@/.test(unfilled))
    throw new Error("a YAML secret placeholder is not a whole value on its own line");
  return text;
}
