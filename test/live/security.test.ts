/**
 * The node hardening files on the real tools, offline (no sockets): sshd -t/-T and sshd in inetd
 * mode (`sshd -i` as the ssh client's ProxyCommand, so client and server talk over a pipe),
 * fail2ban-regex and fail2ban-client -t/-d on a scratch copy of Debian's /etc/fail2ban, and the whole
 * hardening script under PROVISION_ROOT with a recording `systemctl` stub (no systemd here).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  renderFail2BanDaemonConfig,
  renderFail2BanJail,
  renderProxmoxFilter,
} from "../../components/security/fail2ban";
import {
  parseHardeningResult,
  renderNodeHardeningScript,
  type NodeHardeningInput,
} from "../../components/security/scripts";
import {
  MODERN_CIPHERS,
  MODERN_KEX,
  MODERN_MACS,
  renderSshdDropIn,
  type SshdHardeningInput,
} from "../../components/security/sshd";
import { findProgram, run, scratchDir } from "./support/daemon";

const FIXTURES = join(__dirname, "fixtures", "security");
const ADMIN_CIDRS = ["192.168.0.0/28", "10.8.0.0/24"];

const sshd = findProgram("sshd");
const ssh = findProgram("ssh");
const sshKeygen = findProgram("ssh-keygen");
const fail2banRegex = findProgram("fail2ban-regex");
const fail2banClient = findProgram("fail2ban-client");
const shellcheck = findProgram("shellcheck");

const scratch = scratchDir("security");
const createdPrivsepDir = !existsSync("/run/sshd");

/** A Proxmox-like main sshd_config: the drop-in directory first, then the values PVE ships. */
function mainConfig(dropInDir: string, hostKey: string, authorizedKeys: string): string {
  return [
    `Include ${dropInDir}/*.conf`,
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    "PidFile none",
    "StrictModes no",
    "PermitRootLogin yes",
    "PasswordAuthentication yes",
    "KbdInteractiveAuthentication no",
    "UsePAM yes",
    "X11Forwarding yes",
    "PrintMotd no",
    "AcceptEnv LANG LC_*",
    "Subsystem sftp /usr/lib/openssh/sftp-server",
    "",
  ].join("\n");
}

function keygen(path: string): void {
  const r = run(sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", path]);
  if (r.status !== 0) throw new Error(r.output);
}

beforeAll(() => {
  // sshd -t refuses to run without its privilege separation directory (systemd creates it on a node).
  if (createdPrivsepDir) mkdirSync("/run/sshd", { mode: 0o755 });
  for (const key of ["host_ed25519", "admin_key", "stranger_key"]) keygen(join(scratch.path, key));
  cpSync(join(scratch.path, "admin_key.pub"), join(scratch.path, "authorized_keys"));
});

afterAll(() => {
  scratch.remove();
  if (createdPrivsepDir) rmSync("/run/sshd", { recursive: true, force: true });
});

/** Writes a drop-in + main config pair for one case and returns the main config's path. */
function sshdCase(name: string, input: SshdHardeningInput): string {
  const dir = join(scratch.path, name);
  mkdirSync(join(dir, "sshd_config.d"), { recursive: true });
  writeFileSync(join(dir, "sshd_config.d", "50-proxmox-sites.conf"), renderSshdDropIn(input));
  const main = join(dir, "sshd_config");
  writeFileSync(
    main,
    mainConfig(
      join(dir, "sshd_config.d"),
      join(scratch.path, "host_ed25519"),
      join(scratch.path, "authorized_keys"),
    ),
  );
  return main;
}

/** One ssh session against `sshd -i` over a pipe; returns exit status and the client's output. */
function sshSession(
  main: string,
  user: string,
  key: string | undefined,
  extra: string[],
  remote = "echo HARDENED_LOGIN_OK",
) {
  const proxy = `${sshd} -i -e -f ${main}`;
  const args = [
    "-F", "/dev/null",
    "-o", "BatchMode=yes",
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "IdentitiesOnly=yes",
    "-o", `ProxyCommand=${proxy}`,
    ...(key ? ["-i", key] : ["-o", "IdentityFile=/dev/null"]),
    ...extra,
    `${user}@proxmox-node`,
    remote,
  ]; // prettier-ignore
  return run("timeout", ["15", ssh, ...args]);
}

describe("sshd drop-in", () => {
  const main = sshdCase("default", {});

  it("passes sshd -t behind a Proxmox-like main config", () => {
    const r = run(sshd, ["-t", "-f", main]);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("wins over the main file's later values (sshd -T shows the effective configuration)", () => {
    const r = run(sshd, ["-T", "-f", main]);
    expect(r.status).toBe(0);
    const effective = r.stdout.split("\n");
    for (const line of [
      "passwordauthentication no",
      "kbdinteractiveauthentication no",
      "pubkeyauthentication yes",
      "permitrootlogin without-password", // sshd -T spells prohibit-password this way
      "x11forwarding no",
      "allowtcpforwarding no",
      "allowstreamlocalforwarding local",
      "allowagentforwarding no",
      "maxauthtries 3",
      "logingracetime 30",
      "clientaliveinterval 300",
      "clientalivecountmax 2",
      "loglevel VERBOSE",
      `ciphers ${MODERN_CIPHERS.join(",")}`,
      `macs ${MODERN_MACS.join(",")}`,
      `kexalgorithms ${MODERN_KEX.join(",")}`,
      "acceptenv LANG",
      "acceptenv LC_*",
    ])
      expect(effective).toContain(line);
  });

  it("uses only algorithms this OpenSSH offers", () => {
    for (const [query, names] of [
      ["cipher", MODERN_CIPHERS],
      ["mac", MODERN_MACS],
      ["kex", MODERN_KEX],
    ] as const) {
      const offered = run(ssh, ["-Q", query]).stdout.split("\n");
      for (const name of names) expect([query, name, offered.includes(name)]).toEqual([query, name, true]);
    }
  });

  it("lets root in with an authorized key and nobody with a password or another key", () => {
    const ok = sshSession(main, "root", join(scratch.path, "admin_key"), []);
    expect(ok.output).toContain("HARDENED_LOGIN_OK");
    expect(ok.status).toBe(0);
    const stranger = sshSession(main, "root", join(scratch.path, "stranger_key"), []);
    expect(stranger.status).not.toBe(0);
    expect(stranger.output).toContain("Permission denied (publickey)."); // the only method offered
    const password = sshSession(main, "root", undefined, [
      "-o",
      "PreferredAuthentications=password,keyboard-interactive",
    ]);
    expect(password.status).not.toBe(0);
    expect(password.output).toContain("Permission denied (publickey).");
  });

  it("refuses weak algorithms and TCP forwarding", () => {
    const key = join(scratch.path, "admin_key");
    expect(sshSession(main, "root", key, ["-c", "aes128-cbc"]).output).toContain("no matching cipher found");
    expect(
      sshSession(main, "root", key, ["-o", "KexAlgorithms=diffie-hellman-group14-sha1"]).output,
    ).toContain("no matching key exchange method found");
    expect(sshSession(main, "root", key, ["-c", "aes128-ctr", "-m", "hmac-sha1"]).output).toContain(
      "no matching MAC found",
    );
    // The server refuses the channel before it would connect anywhere.
    const forward = sshSession(main, "root", key, ["-W", "127.0.0.1:9"], "");
    expect(forward.status).not.toBe(0);
    expect(forward.output).toContain("administratively prohibited");
  });

  it("keeps root out entirely when permitRootLogin is no", () => {
    const noRoot = sshdCase("no-root", { permitRootLogin: "no" });
    const r = sshSession(noRoot, "root", join(scratch.path, "admin_key"), []);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("Permission denied (publickey).");
  });
});

/** A scratch copy of Debian's /etc/fail2ban with the rendered files in place. */
function fail2banConf(name: string): string {
  const dir = join(scratch.path, name);
  cpSync("/etc/fail2ban", dir, { recursive: true });
  writeFileSync(join(dir, "jail.d", "proxmox-sites.local"), renderFail2BanJail({ ignoreCidrs: ADMIN_CIDRS }));
  writeFileSync(join(dir, "filter.d", "proxmox.conf"), renderProxmoxFilter());
  writeFileSync(join(dir, "fail2ban.d", "proxmox-sites.local"), renderFail2BanDaemonConfig());
  return dir;
}

function regex(args: string[]) {
  const ips = run(fail2banRegex, ["-o", "ip", ...args]);
  const summary = run(fail2banRegex, args);
  const lines = /^Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed/m.exec(summary.stdout);
  if (ips.status !== 0 || !lines) throw new Error(`fail2ban-regex failed:\n${ips.output}\n${summary.output}`);
  return { ips: ips.stdout.split("\n").filter(Boolean), matched: Number(lines[3]), total: Number(lines[1]) };
}

describe("Fail2Ban", () => {
  const conf = fail2banConf("fail2ban");
  const filter = join(conf, "filter.d", "proxmox.conf");

  it("catches every pvedaemon authentication failure and bans the client, not a forged address", () => {
    const r = regex([join(FIXTURES, "pvedaemon-failures.txt"), filter]);
    // The fixture holds 11 lines: 6 pvedaemon failures (IPv4-mapped, plain IPv4, IPv6, one with a
    // forged `rhost=` in the user name), 2 successful logins, an sshd PAM failure and 2 other lines.
    expect(r.total).toBe(11);
    expect(r.matched).toBe(6);
    expect(r.ips).toEqual([
      "203.0.113.7",
      "203.0.113.7",
      "198.51.100.23",
      "198.51.100.23",
      "2001:db8::7",
      "203.0.113.7",
    ]);
  });

  it("never matches successful logins", () => {
    const r = regex([join(FIXTURES, "pvedaemon-success.txt"), filter]);
    expect(r.total).toBe(6);
    expect(r.matched).toBe(0);
    expect(r.ips).toEqual([]);
  });

  it("bans a key-only SSH attacker in the jail's aggressive mode, and not the admin", () => {
    const r = regex(["-c", conf, join(FIXTURES, "sshd-keyonly.txt"), "sshd[mode=aggressive]"]);
    expect(new Set(r.ips)).toEqual(new Set(["203.0.113.50"]));
    expect(r.matched).toBeGreaterThanOrEqual(5); // the sshd jail's default maxretry
  });

  it("passes fail2ban-client -t and loads both jails from the journal with our policy", () => {
    const test = run(fail2banClient, ["-c", conf, "-t"]);
    expect(test.output).toContain("OK: configuration test is successful");
    expect(test.output).not.toContain("WARNING");
    expect(test.status).toBe(0);
    const dump = run(fail2banClient, ["-c", conf, "-d"]).stdout;
    for (const line of [
      "['add', 'sshd', 'systemd']",
      "['add', 'proxmox', 'systemd']",
      "['set', 'proxmox', 'addjournalmatch', '_SYSTEMD_UNIT=pvedaemon.service']",
      "['set', 'proxmox', 'maxretry', 3]",
      "['set', 'sshd', 'maxretry', 5]",
      "['set', 'proxmox', 'addignoreip', '127.0.0.1/8', '::1', '10.8.0.0/24', '192.168.0.0/28']",
      "['set', 'sshd', 'addignoreip', '127.0.0.1/8', '::1', '10.8.0.0/24', '192.168.0.0/28']",
    ])
      expect(dump).toContain(line);
    expect(dump).toMatch(/\['port', 'https,8006'\]/);
  });
});

describe("node hardening script", () => {
  const root = join(scratch.path, "node");
  const bin = join(scratch.path, "bin");
  const calls = join(scratch.path, "calls.log");
  const input: NodeHardeningInput = { fail2ban: { ignoreCidrs: ADMIN_CIDRS } };

  beforeAll(() => {
    mkdirSync(join(root, "etc", "ssh", "sshd_config.d"), { recursive: true });
    cpSync("/etc/fail2ban", join(root, "etc", "fail2ban"), { recursive: true });
    writeFileSync(
      join(root, "etc", "ssh", "sshd_config"),
      mainConfig(
        join(root, "etc", "ssh", "sshd_config.d"),
        join(scratch.path, "host_ed25519"),
        join(scratch.path, "authorized_keys"),
      ),
    );
    mkdirSync(bin);
    // systemctl: queries answer "active/enabled", everything else is recorded. apt-get must not run.
    const stub = (name: string, body: string) =>
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    stub("systemctl", `case "$1" in is-active|is-enabled) exit 0 ;; esac\necho "systemctl $*" >>"${calls}"`);
    stub("apt-get", `echo "apt-get $*" >>"${calls}"\nexit 1`);
  });

  function apply(scriptInput: NodeHardeningInput) {
    rmSync(calls, { force: true });
    const r = run("bash", ["-s"], renderNodeHardeningScript(scriptInput), {
      PROVISION_ROOT: root,
      PATH: `${bin}:${process.env.PATH}:/usr/sbin:/sbin`,
    });
    const recorded = existsSync(calls) ? readFileSync(calls, "utf8").split("\n").filter(Boolean) : [];
    return { ...r, recorded };
  }

  const dropIn = () =>
    readFileSync(join(root, "etc", "ssh", "sshd_config.d", "50-proxmox-sites.conf"), "utf8");
  const jail = () => readFileSync(join(root, "etc", "fail2ban", "jail.d", "proxmox-sites.local"), "utf8");

  it("is shellcheck-clean", () => {
    const r = run(shellcheck, ["-s", "bash", "-"], renderNodeHardeningScript(input));
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("writes, validates and reloads on the first run", () => {
    const r = apply(input);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(parseHardeningResult(r.stdout)).toEqual({ sshdReloaded: true, fail2banRestarted: true });
    expect(r.recorded).toEqual(["systemctl reload ssh", "systemctl restart fail2ban"]);
    expect(dropIn()).toBe(renderSshdDropIn({}));
    expect(jail()).toBe(renderFail2BanJail(input.fail2ban));
    expect(readFileSync(join(root, "etc", "profile.d", "proxmox-sites-idle-timeout.sh"), "utf8")).toContain(
      "TMOUT=900",
    );
  });

  it("changes nothing and touches no service on a second run", () => {
    const r = apply(input);
    expect(r.status).toBe(0);
    expect(parseHardeningResult(r.stdout)).toEqual({ sshdReloaded: false, fail2banRestarted: false });
    expect(r.recorded).toEqual([]);
  });

  it("puts the old drop-in back and never reloads ssh when sshd -t fails", () => {
    const mainPath = join(root, "etc", "ssh", "sshd_config");
    const good = readFileSync(mainPath, "utf8");
    // Something else is wrong on the node (a missing host key): the new drop-in must not be activated.
    writeFileSync(
      mainPath,
      good.replace(/^HostKey .*$/m, `HostKey ${join(scratch.path, "missing_host_key")}`),
    );
    try {
      const r = apply({ ...input, sshd: { maxAuthTries: 4 } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("sshd -t rejected the new configuration");
      expect(r.recorded).toEqual([]);
      expect(dropIn()).toBe(renderSshdDropIn({}));
    } finally {
      writeFileSync(mainPath, good);
    }
  });

  it("puts the old jail back and never restarts Fail2Ban when fail2ban-client -t fails", () => {
    const common = join(root, "etc", "fail2ban", "filter.d", "common.conf");
    const saved = readFileSync(common, "utf8");
    rmSync(common);
    try {
      const r = apply({ fail2ban: { ignoreCidrs: ADMIN_CIDRS, proxmoxUi: { maxRetry: 2 } } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("fail2ban-client -t rejected the new configuration");
      expect(r.recorded).toEqual([]);
      expect(jail()).toBe(renderFail2BanJail(input.fail2ban));
    } finally {
      writeFileSync(common, saved);
    }
  });

  it("applies a changed policy and reloads only what it touched", () => {
    const r = apply({ ...input, sshd: { maxAuthTries: 4 } });
    expect(r.status).toBe(0);
    expect(parseHardeningResult(r.stdout)).toEqual({ sshdReloaded: true, fail2banRestarted: false });
    expect(r.recorded).toEqual(["systemctl reload ssh"]);
    expect(run(sshd, ["-T", "-f", join(root, "etc", "ssh", "sshd_config")]).stdout).toContain(
      "maxauthtries 4",
    );
  });
});
