/**
 * Secrets in rendered files. A file never holds a secret's value: it holds a placeholder, and the
 * provisioning script fills it in the guest from the variable the stdin prelude exports. A
 * placeholder names the form the value takes, so that any string (quotes, `$`, backslashes,
 * newlines, control characters, non-ASCII) lands in the file as the same string once the daemon
 * reads it:
 *
 * - `@@NAME@@`: the value as is, for places that are not quoted (a file that is only the value, a
 *   hash the script computed, a value whose shape a check ensures);
 * - `@@NAME:php@@`: a PHP single-quoted string literal, quotes included;
 * - `@@NAME:yaml@@`: a YAML double-quoted scalar, quotes included (every character but ASCII
 *   letters and digits written as a `\U` escape);
 * - `@@NAME:sql@@`: the inside of a single-quoted MariaDB string (`'@@NAME:sql@@'`).
 *
 * Pure: no Pulumi import.
 */

/** How a secret is written where its placeholder stands. */
export type SecretForm = "raw" | "php" | "yaml" | "sql";

const variableName = /^[A-Z][A-Z0-9_]*$/;
const placeholderPattern = /@@([A-Z][A-Z0-9_]*)(?::(php|yaml|sql))?@@/g;

/** The placeholder of the exported variable `name` in the given form. */
export function secretPlaceholder(name: string, form: SecretForm = "raw"): string {
  if (!variableName.test(name)) throw new Error(`bad secret variable name: ${name}`);
  return form === "raw" ? `@@${name}@@` : `@@${name}:${form}@@`;
}

/**
 * Names of the variables a text's placeholders are filled from, in order of first appearance; with
 * `form`, only those of placeholders in that form.
 */
export function placeholdersIn(text: string, form?: SecretForm): string[] {
  const matches = [...text.matchAll(placeholderPattern)];
  return [...new Set(matches.filter((m) => form === undefined || (m[2] ?? "raw") === form).map((m) => m[1]))];
}

interface Placeholder {
  text: string;
  name: string;
  form: SecretForm;
}

function placeholderUses(text: string): Placeholder[] {
  const seen = new Map<string, Placeholder>();
  for (const m of text.matchAll(placeholderPattern)) {
    if (!seen.has(m[0]))
      seen.set(m[0], { text: m[0], name: m[1], form: (m[2] as SecretForm | undefined) ?? "raw" });
  }
  return [...seen.values()];
}

/**
 * Bash functions printing a value in the PHP and YAML forms (for `$(…)`). The YAML one runs in
 * C.UTF-8 (built into Debian's glibc) so that it walks characters, not bytes.
 */
const formFunctions: Record<"php" | "yaml", string> = {
  php: [
    "secret_form_php() {",
    "  local value=$1",
    '  value=${value//"\\\\"/"\\\\\\\\"}',
    `  value=\${value//"'"/"\\\\'"}`,
    `  printf "'%s'" "$value"`,
    "}",
  ].join("\n"),
  yaml: [
    "secret_form_yaml() (",
    "  LC_ALL=C.UTF-8",
    '  local value=$1 out="" i char code',
    "  for ((i = 0; i < ${#value}; i++)); do",
    "    char=${value:i:1}",
    '    case "$char" in',
    "      [ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789]) out+=$char ;;",
    `      *) printf -v code '%d' "'$char"; printf -v char '\\\\U%08X' "$code"; out+=$char ;;`,
    "    esac",
    "  done",
    `  printf '"%s"' "$out"`,
    ")",
  ].join("\n"),
};

/**
 * Bash that replaces one placeholder text inside the shell variable `textVariable` with the value of
 * the exported variable `name` in `form`. The replacement is double-quoted, so bash takes it
 * literally (no `&` substitution, no globbing). The PHP and YAML forms need `renderSecretFormFunctions`.
 */
export function renderSecretFill(
  textVariable: string,
  placeholder: string,
  name: string,
  form: SecretForm,
): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(textVariable)) throw new Error(`bad shell variable name: ${textVariable}`);
  if (!variableName.test(name)) throw new Error(`bad secret variable name: ${name}`);
  const replace = (value: string) => `${textVariable}=\${${textVariable}//${placeholder}/"${value}"}`;
  if (form === "raw") return replace(`$${name}`);
  if (form === "sql") {
    // Inside '…' MariaDB (default sql_mode) ends the string only at an unescaped quote.
    return [
      `sql_escaped=$${name}`,
      `sql_escaped=\${sql_escaped//"\\\\"/"\\\\\\\\"}`,
      `sql_escaped=\${sql_escaped//"'"/"\\\\'"}`,
      replace("$sql_escaped"),
    ].join("\n");
  }
  return [`secret_form=$(secret_form_${form} "$${name}")`, replace("$secret_form")].join("\n");
}

/** The bash functions the forms used in `text` need (empty when none). */
export function renderSecretFormFunctions(text: string): string {
  const forms = new Set(placeholderUses(text).map((u) => u.form));
  return (["php", "yaml"] as const)
    .filter((form) => forms.has(form))
    .map((form) => formFunctions[form])
    .join("\n");
}

/**
 * Bash that fills every placeholder of `text` inside the shell variable `textVariable` (which holds
 * that text at run time), each in the form it names. Empty when the text has none.
 */
export function renderSecretFills(textVariable: string, text: string): string {
  return [
    renderSecretFormFunctions(text),
    ...placeholderUses(text).map((u) => renderSecretFill(textVariable, u.text, u.name, u.form)),
  ]
    .filter(Boolean)
    .join("\n");
}
