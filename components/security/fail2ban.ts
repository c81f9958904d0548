/**
 * Fail2Ban for a Proxmox VE 8 node: a jail for sshd and one for the web UI / API (pvedaemon), plus
 * the filter that recognises pvedaemon's authentication failures. Pure: no Pulumi import.
 *
 * Backend: `systemd` for both jails. PVE 8 (Debian 12) logs to the journal only: there is no rsyslog,
 * so neither /var/log/auth.log nor /var/log/daemon.log exists, and a file-backed jail would not start
 * (Debian's stock `[sshd]` jail fails this way on bookworm). The journal backend needs python3-systemd.
 *
 * The pvedaemon line comes from PVE::API2::AccessControl:
 *   `authentication failure; rhost=<client ip> user=<user@realm> msg=<reason>`
 * with the client as `::ffff:203.0.113.7` (IPv4-mapped, PVE 7 and most PVE 8 logs) or plain
 * `203.0.113.7`. The filter strips the `::ffff:` prefix so the ban lands in the IPv4 table.
 * Successful logins (`<root@pam> successful auth for user 'root@pam'`) never match.
 */
import { compareCidrs, parseCidr, type Cidr } from "../firewall/cidr";

/** The jail file; `.local` in jail.d is read after Debian's `defaults-debian.conf` and overrides it. */
export const FAIL2BAN_JAIL_PATH = "/etc/fail2ban/jail.d/proxmox-sites.local";
/** The filter for the Proxmox web UI / API jail. */
export const PROXMOX_FILTER_PATH = "/etc/fail2ban/filter.d/proxmox.conf";
/** Daemon settings: silences fail2ban 1.0's "allowipv6 not defined" warning. */
export const FAIL2BAN_DAEMON_PATH = "/etc/fail2ban/fail2ban.d/proxmox-sites.local";

/** Ban policy of one jail. */
export interface JailTuning {
  /** How long a ban lasts, in seconds. */
  bantimeSeconds?: number;
  /** Window in which `maxRetry` failures cause a ban, in seconds. */
  findtimeSeconds?: number;
  /** Failures within `findtimeSeconds` that cause a ban. */
  maxRetry?: number;
}

export interface Fail2BanInput {
  /**
   * Addresses never banned: the admin CIDRs. Add the Cloudflare Tunnel guest's IP if the Proxmox UI is
   * published through the tunnel: pvedaemon then sees every tunnelled client as that one address, and
   * banning it would lock everyone out (Cloudflare Access guards that path instead).
   */
  ignoreCidrs: readonly string[];
  /** sshd jail. Default: ban 3600 s after 5 failures in 600 s. */
  sshd?: JailTuning;
  /** Proxmox web UI / API jail. Default: ban 3600 s after 3 failures in 3600 s. */
  proxmoxUi?: JailTuning;
  /**
   * fail2ban's sshd filter mode. Default `aggressive`: with keys only, most attacks end as
   * "Connection closed by authenticating user … [preauth]" or key-exchange failures, which the
   * `normal` mode partly ignores.
   */
  sshdMode?: "normal" | "aggressive";
  /** Ports banned for the UI jail. Default `https,8006` (pveproxy listens on 8006). */
  proxmoxUiPorts?: readonly string[];
  /** Grow the ban time for repeat offenders (`bantime.increment`), capped at one week. Default true. */
  incrementBantime?: boolean;
}

const SSHD_DEFAULTS: Required<JailTuning> = { bantimeSeconds: 3600, findtimeSeconds: 600, maxRetry: 5 };
const UI_DEFAULTS: Required<JailTuning> = { bantimeSeconds: 3600, findtimeSeconds: 3600, maxRetry: 3 };

function tuning(
  problems: string[],
  key: string,
  given: JailTuning | undefined,
  defaults: Required<JailTuning>,
) {
  const t = { ...defaults, ...given };
  for (const [field, value] of Object.entries(t)) {
    if (!Number.isInteger(value) || value < 1)
      problems.push(`fail2ban.${key}.${field}: ${value} is not a positive integer`);
  }
  return t;
}

interface Resolved {
  ignore: string[];
  sshd: Required<JailTuning>;
  ui: Required<JailTuning>;
}

function resolve(input: Fail2BanInput): Resolved {
  const problems: string[] = [];
  const ignore: Cidr[] = [];
  for (const text of input.ignoreCidrs) {
    const cidr = parseCidr(text);
    if (cidr === undefined)
      problems.push(`fail2ban.ignoreCidrs: ${text} is not an address or a network CIDR`);
    else if (!ignore.some((c) => c.text === cidr.text)) ignore.push(cidr);
  }
  for (const port of input.proxmoxUiPorts ?? []) {
    if (!/^([a-z][a-z0-9-]*|\d{1,5}(:\d{1,5})?)$/.test(port))
      problems.push(`fail2ban.proxmoxUiPorts: ${port} is not a port`);
  }
  const sshd = tuning(problems, "sshd", input.sshd, SSHD_DEFAULTS);
  const ui = tuning(problems, "proxmoxUi", input.proxmoxUi, UI_DEFAULTS);
  if (problems.length > 0) throw new Error(`invalid fail2ban input:\n  ${problems.join("\n  ")}`);
  return { ignore: ignore.sort(compareCidrs).map((c) => c.text), sshd, ui };
}

function jailLines(t: Required<JailTuning>): string[] {
  return [`bantime = ${t.bantimeSeconds}`, `findtime = ${t.findtimeSeconds}`, `maxretry = ${t.maxRetry}`];
}

/** jail.d/proxmox-sites.local: the sshd and proxmox jails, journal-backed. */
export function renderFail2BanJail(input: Fail2BanInput): string {
  const { ignore, sshd, ui } = resolve(input);
  const ignoreip = `ignoreip = ${["127.0.0.1/8", "::1", ...ignore].join(" ")}`;
  const increment =
    (input.incrementBantime ?? true)
      ? ["bantime.increment = true", "bantime.maxtime = 604800"]
      : ["bantime.increment = false"];
  return [
    "# Rendered by proxmox-sites: Fail2Ban jails for a Proxmox VE node.",
    "# PVE 8 logs to the systemd journal only, so both jails read the journal.",
    "",
    "[sshd]",
    "enabled = true",
    "backend = systemd",
    `mode = ${input.sshdMode ?? "aggressive"}`,
    "port = ssh",
    ignoreip,
    ...jailLines(sshd),
    ...increment,
    "",
    "[proxmox]",
    "enabled = true",
    "backend = systemd",
    "filter = proxmox",
    `port = ${(input.proxmoxUiPorts ?? ["https", "8006"]).join(",")}`,
    ignoreip,
    ...jailLines(ui),
    ...increment,
    "",
  ].join("\n");
}

/** filter.d/proxmox.conf: pvedaemon authentication failures; the host is the client address. */
export function renderProxmoxFilter(): string {
  return [
    "# Rendered by proxmox-sites: failed logins to the Proxmox VE web UI / API.",
    "# pvedaemon logs: authentication failure; rhost=<ip> user=<user@realm> msg=<reason>",
    "[INCLUDES]",
    "before = common.conf",
    "",
    "[Definition]",
    "_daemon = pvedaemon",
    "failregex = ^%(__prefix_line)sauthentication failure; rhost=(?:::ffff:)?<HOST> user=.* msg=.*$",
    "ignoreregex =",
    "journalmatch = _SYSTEMD_UNIT=pvedaemon.service",
    "",
  ].join("\n");
}

/** fail2ban.d/proxmox-sites.local: daemon-level settings. */
export function renderFail2BanDaemonConfig(): string {
  return ["# Rendered by proxmox-sites.", "[Definition]", "allowipv6 = auto", ""].join("\n");
}
