/**
 * The node hardening script: runs on the Proxmox node itself (not in a guest), as root, over the
 * provisioning SSH connection. It needs no secret. Pure: no Pulumi import.
 *
 * Order of safety: a new sshd drop-in is written, then `sshd -t` checks the whole configuration; if
 * that fails the previous files are put back and ssh is NOT reloaded (a bad file left on disk would
 * stop sshd at the next boot and lock everyone out). The same for Fail2Ban with `fail2ban-client -t`.
 * Services are reloaded only when a file changed, so a second run changes nothing.
 */
import { renderAptInstallIf } from "../proxmox/apt";
import { renderScript } from "../proxmox/script";
import {
  FAIL2BAN_DAEMON_PATH,
  FAIL2BAN_JAIL_PATH,
  PROXMOX_FILTER_PATH,
  renderFail2BanDaemonConfig,
  renderFail2BanJail,
  renderProxmoxFilter,
  type Fail2BanInput,
} from "./fail2ban";
import { SSHD_DROP_IN_PATH, renderSshdDropIn, type SshdHardeningInput } from "./sshd";

/** Where the idle-shell timeout is set for interactive login shells. */
export const IDLE_TIMEOUT_PROFILE_PATH = "/etc/profile.d/proxmox-sites-idle-timeout.sh";

export interface NodeHardeningInput {
  /** sshd drop-in settings; every field has a hardened default. */
  sshd?: SshdHardeningInput;
  /** Fail2Ban jails; `ignoreCidrs` takes the admin CIDRs. */
  fail2ban: Fail2BanInput;
  /**
   * `TMOUT` for interactive login shells (SSH logins and the web UI's node shell), in seconds:
   * an idle shell is logged out. Default 900; 0 removes the setting. Non-interactive commands
   * (`pct exec … bash -s`, the provider's SSH) are unaffected. ClientAlive* in the sshd drop-in only
   * drops dead connections, not idle ones.
   */
  shellIdleTimeoutSeconds?: number;
}

/** What the script reports on its last lines, e.g. `SSHD_RELOADED=1`. */
export interface HardeningResult {
  sshdReloaded: boolean;
  fail2banRestarted: boolean;
}

/** Reads the marker lines the hardening script prints. Throws when they are missing. */
export function parseHardeningResult(stdout: string): HardeningResult {
  const flag = (name: string): boolean => {
    const match = new RegExp(`^${name}=([01])$`, "m").exec(stdout);
    if (!match) throw new Error(`hardening script output has no ${name}= line`);
    return match[1] === "1";
  };
  return { sshdReloaded: flag("SSHD_RELOADED"), fail2banRestarted: flag("FAIL2BAN_RESTARTED") };
}

const DELIMITER = "PROXMOX_SITES_EOF";

/** `write_if_changed <path> <mode> <<'EOF' … EOF`: afterwards `$written` is 1 when the file changed. */
function guardedWrite(path: string, mode: string, content: string): string {
  if (content.split("\n").includes(DELIMITER))
    throw new Error(`${path}: content contains the heredoc delimiter`);
  const body = content.endsWith("\n") ? content : `${content}\n`;
  return `write_if_changed "$root${path}" ${mode} <<'${DELIMITER}'\n${body}${DELIMITER}`;
}

/** Fail2Ban and the journal backend it needs, with apt-get install's progress left in the log. */
const FAIL2BAN_PACKAGES = ["fail2ban", "python3-systemd"];
const FAIL2BAN_INSTALL = renderAptInstallIf(
  `[ "$(dpkg-query -W -f '\${Status}\\n' ${FAIL2BAN_PACKAGES.join(" ")} 2>/dev/null | grep -c 'ok installed')" != ${FAIL2BAN_PACKAGES.length} ]`,
  FAIL2BAN_PACKAGES,
  { frontend: "inline", quiet: false },
);

const SETUP = String.raw`root="${"$"}{PROVISION_ROOT:-}"
sshd_changed=0
fail2ban_changed=0
journal="$(mktemp -d)"
trap 'rm -rf "$journal"' EXIT
journal_count=0

# Writes stdin to $1 (mode $2) when it differs, keeping the previous version for rollback.
# Sets written=1 when it changed the file, written=0 when the file was already right.
written=0
write_if_changed() {
  local target="$1" mode="$2" staged="$journal/staged"
  cat >"$staged"
  written=0
  if cmp -s "$staged" "$target"; then
    rm -f "$staged"
    return 0
  fi
  journal_count=$((journal_count + 1))
  if [ -e "$target" ]; then cp -p "$target" "$journal/$journal_count.old"; fi
  printf '%s\n' "$target" >"$journal/$journal_count.path"
  mkdir -p "$(dirname "$target")"
  install -m "$mode" "$staged" "$target"
  rm -f "$staged"
  written=1
}

# Puts back every file written since the last commit_writes.
rollback_writes() {
  local i target
  for ((i = journal_count; i >= 1; i--)); do
    if [ ! -e "$journal/$i.path" ]; then continue; fi
    target="$(cat "$journal/$i.path")"
    if [ -e "$journal/$i.old" ]; then cp -p "$journal/$i.old" "$target"; else rm -f "$target"; fi
    rm -f "$journal/$i.path" "$journal/$i.old"
  done
}

commit_writes() {
  rm -f "$journal"/*.path "$journal"/*.old
}

# Fail2Ban and the journal backend it needs on PVE 8.
# shellcheck disable=SC2016
${FAIL2BAN_INSTALL}
sshd_bin="$(command -v sshd || true)"
sshd_bin="${"$"}{sshd_bin:-/usr/sbin/sshd}"`;

const SSHD_CHECK = String.raw`if [ "$written" = 1 ]; then
  if ! "$sshd_bin" -t -f "$root/etc/ssh/sshd_config"; then
    rollback_writes
    echo "sshd -t rejected the new configuration: previous files restored, ssh not reloaded" >&2
    exit 1
  fi
  commit_writes
  sshd_changed=1
fi
effective="$("$sshd_bin" -T -f "$root/etc/ssh/sshd_config")"
if ! grep -qx 'passwordauthentication no' <<<"$effective"; then
  echo "the sshd drop-in is not in effect: does $root/etc/ssh/sshd_config Include sshd_config.d/*.conf first?" >&2
  exit 1
fi`;

const FAIL2BAN_CHECK = String.raw`if [ "$fail2ban_changed" = 1 ]; then
  if ! fail2ban-client -c "$root/etc/fail2ban" -t >/dev/null; then
    rollback_writes
    fail2ban-client -c "$root/etc/fail2ban" -t >&2 || true
    echo "fail2ban-client -t rejected the new configuration: previous files restored" >&2
    exit 1
  fi
  commit_writes
fi`;

const SERVICES = String.raw`if [ "$sshd_changed" = 1 ] && systemctl is-active --quiet ssh; then
  systemctl reload ssh
fi
if ! systemctl is-enabled --quiet fail2ban; then
  systemctl enable --quiet fail2ban
fi
if [ "$fail2ban_changed" = 1 ]; then
  systemctl restart fail2ban
elif ! systemctl is-active --quiet fail2ban; then
  systemctl start fail2ban
fi
echo "SSHD_RELOADED=$sshd_changed"
echo "FAIL2BAN_RESTARTED=$fail2ban_changed"`;

function idleTimeoutStep(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new Error(`shellIdleTimeoutSeconds: ${seconds} is not a whole number of seconds >= 0`);
  }
  if (seconds === 0) return `rm -f "$root${IDLE_TIMEOUT_PROFILE_PATH}"`;
  const profile = [
    "# Rendered by proxmox-sites: log out interactive shells idle for too long.",
    'if [ -n "${PS1:-}" ]; then',
    `  TMOUT=${seconds}`,
    "  readonly TMOUT",
    "  export TMOUT",
    "fi",
  ].join("\n");
  return `${guardedWrite(IDLE_TIMEOUT_PROFILE_PATH, "0644", profile)}\ncommit_writes`;
}

/** The complete, idempotent, shellcheck-clean hardening script for one Proxmox node. */
export function renderNodeHardeningScript(input: NodeHardeningInput): string {
  const fail2banFiles: [string, string][] = [
    [FAIL2BAN_JAIL_PATH, renderFail2BanJail(input.fail2ban)],
    [PROXMOX_FILTER_PATH, renderProxmoxFilter()],
    [FAIL2BAN_DAEMON_PATH, renderFail2BanDaemonConfig()],
  ];
  const body = [
    "# sshd: write, check with sshd -t, roll back on failure.",
    guardedWrite(SSHD_DROP_IN_PATH, "0644", renderSshdDropIn(input.sshd ?? {})),
    SSHD_CHECK,
    "# Idle interactive shells.",
    idleTimeoutStep(input.shellIdleTimeoutSeconds ?? 900),
    "# Fail2Ban: jails and the pvedaemon filter, checked with fail2ban-client -t.",
    ...fail2banFiles.map(
      ([path, content]) =>
        `${guardedWrite(path, "0644", content)}\nif [ "$written" = 1 ]; then fail2ban_changed=1; fi`,
    ),
    FAIL2BAN_CHECK,
    SERVICES,
  ];
  return renderScript({
    summary: "Hardens a Proxmox VE node: sshd drop-in, idle shell timeout, Fail2Ban for SSH and the web UI.",
    setup: SETUP,
    body: body.join("\n"),
  });
}
