/**
 * Building blocks for the provisioning scripts every tier renders. A script runs inside a guest as
 * `pct exec <vmid> -- bash -s`, with a prelude of `export` lines (the secrets) before it on stdin.
 * Pure: no Pulumi import.
 */
import { placeholdersIn, renderSecretFills } from "./secret-forms";
import { shellQuote } from "./shell-quote";

/** A file a provisioning script writes into the guest. */
export interface GuestFile {
  /** Absolute path inside the guest. */
  path: string;
  /** File text. Placeholders (`@@NAME@@`, `@@NAME:php@@`…: see secret-forms.ts) are filled at run time from the exported variables. */
  content: string;
  /** Octal mode, default "0644". */
  mode?: string;
  /** `user:group`, default root:root. */
  owner?: string;
  /** Commands run only when the file changed (e.g. a reload). */
  onChange?: string;
}

export interface ScriptSpec {
  /** One line saying what the script does; it becomes the script's header comment. */
  summary: string;
  /** Variables the stdin prelude must export (secrets); the script stops early if one is missing. */
  requiredEnv?: readonly string[];
  /** Steps run before the files are written (e.g. package installs). */
  setup?: string;
  files?: readonly GuestFile[];
  /** Steps run after the files are written. */
  body?: string;
}

/** The stdin prelude that hands secrets to a script: one `export` line per variable. */
export function renderPrelude(env: Readonly<Record<string, string>>): string {
  return Object.keys(env)
    .sort()
    .map((name) => {
      if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`bad environment variable name: ${name}`);
      return `export ${name}=${shellQuote(env[name])}\n`;
    })
    .join("");
}

/** Held by every provisioning script while it runs in a guest (or on a node): see renderStdin. */
export const PROVISION_LOCK_FILE = "/run/lock/proxmox-sites-provision.lock";

/**
 * The whole stdin of a provisioning command: a lock (on file descriptor 7, which no script uses),
 * the export prelude, the script. Several
 * scripts of one guest start at the same time (a tier's step and its node exporter wait for the
 * guest only), and two package installs at once fail ("Could not get lock /var/lib/apt/lists/lock");
 * so each script first takes the guest's provisioning lock and the second waits, bounded.
 */
export function renderStdin(env: Readonly<Record<string, string>>, script: string): string {
  return (
    `exec 7>${PROVISION_LOCK_FILE}\n` +
    `flock -w 1800 7 || { echo "another provisioning script held this guest for 30 minutes" >&2; exit 1; }\n` +
    renderPrelude(env) +
    script
  );
}

function heredocDelimiter(content: string): string {
  let delimiter = "PROXMOX_SITES_EOF";
  while (content.split("\n").includes(delimiter)) delimiter += "_";
  return delimiter;
}

/** Bash that writes one file only when its content differs, then runs its onChange commands. */
export function renderFileStep(file: GuestFile): string {
  if (!file.path.startsWith("/")) throw new Error(`guest file path must be absolute: ${file.path}`);
  const target = `"\${PROVISION_ROOT:-}"${shellQuote(file.path)}`;
  const delimiter = heredocDelimiter(file.content);
  const body = file.content.endsWith("\n") ? file.content : `${file.content}\n`;
  const substitutions = renderSecretFills("body", body);
  const lines = [
    `# ${file.path}`,
    `target=${target}`,
    `mkdir -p "$(dirname "$target")"`,
    `staged="$(mktemp)"`,
    `cat >"$staged" <<'${delimiter}'`,
    `${body}${delimiter}`,
  ];
  if (substitutions) {
    lines.push(`body="$(cat "$staged")"`, substitutions, `printf '%s\\n' "$body" >"$staged"`);
  }
  lines.push(
    `if ! cmp -s "$staged" "$target"; then`,
    `  install -m ${file.mode ?? "0644"} "$staged" "$target"`,
    file.owner ? `  chown ${file.owner} "$target" 2>/dev/null || true` : `  true`,
  );
  if (file.onChange) lines.push(...file.onChange.split("\n").map((line) => `  ${line}`));
  lines.push(`fi`, `rm -f "$staged"`);
  return lines.join("\n");
}

/** A complete idempotent provisioning script. */
export function renderScript(spec: ScriptSpec): string {
  const required = new Set(spec.requiredEnv ?? []);
  for (const file of spec.files ?? []) for (const name of placeholdersIn(file.content)) required.add(name);
  const parts = [
    "#!/usr/bin/env bash",
    `# ${spec.summary}`,
    "# Rendered by proxmox-sites; safe to run again: every step checks before it changes.",
    "set -euo pipefail",
    "umask 022",
  ];
  for (const name of [...required].sort())
    parts.push(`: "\${${name}:?${name} must be exported by the stdin prelude}"`);
  if (spec.setup) parts.push(spec.setup.trimEnd());
  for (const file of spec.files ?? []) parts.push(renderFileStep(file));
  if (spec.body) parts.push(spec.body.trimEnd());
  return `${parts.join("\n")}\n`;
}
