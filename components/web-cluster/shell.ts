/**
 * Bash steps shared by the web cluster's provisioning scripts (and its Moodle flavour's). Every path goes through `$root`
 * (`${PROVISION_ROOT:-}`) so tests can run a script into a scratch directory. Pure: renders text.
 */
import { shellQuote } from "../proxmox/shell-quote";

/** First line of every script's setup: the prefix all paths use. */
export const rootStep = 'root="${PROVISION_ROOT:-}"';

/** Enables a systemd unit and starts it, each only when needed. */
export function ensureServiceStep(unit: string): string {
  const u = shellQuote(unit);
  return [
    `systemctl is-enabled --quiet ${u} 2>/dev/null || systemctl enable --quiet ${u}`,
    `systemctl is-active --quiet ${u} || systemctl start ${u}`,
  ].join("\n");
}

/** Where a script leaves "reload needed" flags, so a failed reload is retried by the next run. */
export const pendingDir = "/var/lib/proxmox-sites/moodle/pending";

/** The flag directory of a tier's scripts (`moodle` keeps the path it always had). */
export function pendingDirOf(tier: string): string {
  return `/var/lib/proxmox-sites/${tier}/pending`;
}

/** The `onChange` of a file whose daemon must be checked and reloaded: raise the flag. */
export function raiseFlag(flag: string, dir = pendingDir): string {
  return `mkdir -p "$root${dir}" && touch "$root${dir}/${flag}"`;
}

/**
 * When the flag is up: check the whole configuration, reload (or start) the service, lower the flag.
 * A failing check stops the script with the flag still up.
 */
export function reloadOnFlagStep(flag: string, check: string, unit: string, dir = pendingDir): string {
  const u = shellQuote(unit);
  return [
    `if [ -e "$root${dir}/${flag}" ]; then`,
    `  ${check}`,
    `  if systemctl is-active --quiet ${u}; then systemctl reload ${u}; else systemctl start ${u}; fi`,
    `  rm -f "$root${dir}/${flag}"`,
    "fi",
  ].join("\n");
}

/**
 * Activates a staged config only after its checker accepted it: when `staged` differs from `live`,
 * run `check` on the staged file, install it as `live`, then reload (or start) the service.
 */
export function activateStagedStep(spec: {
  staged: string;
  live: string;
  /** Checker command; `"$staged"` is the staged file. */
  check: string;
  mode: string;
  group: string;
  unit: string;
}): string {
  const u = shellQuote(spec.unit);
  return [
    `staged="$root"${shellQuote(spec.staged)}`,
    `live="$root"${shellQuote(spec.live)}`,
    'if ! cmp -s "$staged" "$live"; then',
    `  ${spec.check}`,
    '  mkdir -p "$(dirname "$live")"',
    `  install -m ${spec.mode} "$staged" "$live"`,
    `  chown root:${spec.group} "$live"`,
    `  if systemctl is-active --quiet ${u}; then systemctl reload ${u}; else systemctl start ${u}; fi`,
    "fi",
  ].join("\n");
}
