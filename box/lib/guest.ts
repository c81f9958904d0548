/**
 * One booted box guest: a copy-on-write overlay of the base root, booted by systemd-nspawn with
 * systemd as PID 1 and a private network whose `eth0` hangs on the switch's bridge, configured the
 * way Proxmox sets up an LXC guest (hostname, /etc/hosts, resolv.conf, address, gateway, SSH host
 * keys) plus the box's apt path.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { aptProxyConf } from "./apt-path";
import { linkExists, plugIntoSwitch, type Switch } from "./network";
import { must, run, waitFor } from "./sh";
import { startDaemon, stopPid, type Teardown } from "./teardown";

/** A directory of the host bind-mounted into the guest. */
export interface BindMount {
  source: string;
  target: string;
}

export interface GuestSpec {
  /** Unique name in this run (directory and log names). */
  key: string;
  hostname: string;
  ip: string;
  prefixLength: number;
  gateway?: string;
  dnsServers: string[];
  searchDomain?: string;
  /** Host-side veth name (at most 15 characters). */
  hostIf: string;
  binds: BindMount[];
  /** Files written into the root before boot (path inside the guest → content, mode). */
  files?: { path: string; content: string; mode?: number }[];
  /** System calls added to nspawn's allow list (`--system-call-filter=`, space-separated). */
  allowSystemCalls?: string;
}

export interface BootedGuest {
  spec: GuestSpec;
  /** The guest's systemd, as seen from the host (for nsenter). */
  pid: number;
  /** The guest's root as the host sees it (the overlay). */
  root: string;
  /** systemd-nspawn's pid: SIGTERM shuts the guest down as `pct shutdown` would. */
  nspawnPid: number;
}

export interface BoxContext {
  teardown: Teardown;
  runDir: string;
  base: string;
  sw: Switch;
  gateway: string;
  /** PEM of the box's CA, trusted by every guest (the mirror's certificate is signed by it). */
  caCert?: string;
  /** Address of the box's vendor mirror (apt reaches it without the proxy). */
  mirrorAddress?: string;
  log: (line: string) => void;
}

function writeInto(root: string, path: string, content: string, mode = 0o644) {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  rmSync(target, { force: true });
  writeFileSync(target, content, { mode });
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Runs a command inside a booted guest (all its namespaces), like `pct exec`. */
export function inGuest(g: BootedGuest, argv: string[], input?: string, timeoutMs = 120_000) {
  return run("nsenter", ["-t", String(g.pid), "-a", "--", ...argv], { input, timeoutMs });
}

/** Shuts a guest down (orderly, then killed after 20 s), as stopping its container would. */
export async function stopGuest(g: BootedGuest): Promise<void> {
  await stopPid(g.nspawnPid, 20_000);
}

/** Prepares the overlay, boots the guest, plugs it into the switch and gives it its address. */
export async function bootGuest(ctx: BoxContext, spec: GuestSpec): Promise<BootedGuest> {
  const dir = join(ctx.runDir, "guests", spec.key);
  const root = join(dir, "root");
  for (const d of ["upper", "work", "root"]) mkdirSync(join(dir, d), { recursive: true });
  await must("mount", [
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=${ctx.base},upperdir=${join(dir, "upper")},workdir=${join(dir, "work")}`,
    root,
  ]);
  ctx.teardown.add(`unmount ${spec.key}`, async () => void (await must("umount", ["-l", root])));
  const fqdn = spec.searchDomain ? `${spec.hostname}.${spec.searchDomain} ` : "";
  writeInto(root, "/etc/hostname", `${spec.hostname}\n`);
  writeInto(root, "/etc/hosts", `127.0.0.1 localhost\n${spec.ip} ${fqdn}${spec.hostname}\n`);
  writeInto(
    root,
    "/etc/resolv.conf",
    (spec.searchDomain ? `search ${spec.searchDomain}\n` : "") +
      spec.dnsServers.map((s) => `nameserver ${s}\n`).join(""),
  );
  writeInto(root, "/etc/apt/apt.conf.d/00box-proxy", aptProxyConf(ctx.gateway, ctx.mirrorAddress));
  if (ctx.caCert) {
    // As update-ca-certificates would leave it: the CA file and the CA in the bundle.
    writeInto(root, "/usr/local/share/ca-certificates/proxmox-sites-box.crt", ctx.caCert);
    const bundle = readFileSync(join(ctx.base, "etc/ssl/certs/ca-certificates.crt"), "utf8");
    writeInto(root, "/etc/ssl/certs/ca-certificates.crt", bundle + ctx.caCert);
  }
  for (const f of spec.files ?? []) writeInto(root, f.path, f.content, f.mode);
  // Proxmox generates a guest's SSH host keys when it creates the container.
  await must("ssh-keygen", ["-A", "-f", root]);
  const binds: string[] = [];
  for (const b of spec.binds) {
    if (!existsSync(b.source))
      throw new Error(`${spec.hostname}: bind mount source ${b.source} does not exist`);
    binds.push(`--bind=${b.source}:${b.target}`);
  }
  if (await linkExists(spec.hostIf)) await must("ip", ["link", "del", spec.hostIf]);
  const nspawn = startDaemon(
    ctx.teardown,
    ctx.runDir,
    `guest-${spec.key}`,
    "/usr/bin/systemd-nspawn",
    [
      "-D",
      root,
      "-b",
      "--register=no",
      "--keep-unit",
      "--console=passive",
      "--private-network",
      `--network-veth-extra=${spec.hostIf}:eth0`,
      `--hostname=${spec.hostname}`,
      `--machine=${spec.key}`,
      "--resolv-conf=off",
      "--timezone=off",
      "--link-journal=no",
      ...(spec.allowSystemCalls ? [`--system-call-filter=${spec.allowSystemCalls}`] : []),
      ...binds,
    ],
    join(ctx.runDir, `guest-${spec.key}.log`),
  );
  const nspawnPid = nspawn.pid!;
  await waitFor(
    `${spec.hostname}'s veth`,
    async () => ((await linkExists(spec.hostIf)) ? true : undefined),
    30_000,
  );
  await plugIntoSwitch(ctx.sw, spec.hostIf);
  const pid = await waitFor(
    `${spec.hostname}'s init`,
    async () =>
      childrenOf(nspawnPid).find((p) => readFileSync(`/proc/${p}/comm`, "utf8").trim() === "systemd"),
    30_000,
  );
  const guest: BootedGuest = { spec, pid, root, nspawnPid };
  // Until systemd's bus exists, systemctl cannot even ask; then --wait blocks until boot ends.
  let last = "";
  await waitFor(
    `${spec.hostname} to finish booting (last: ${last})`,
    async () => {
      const state = await inGuest(guest, ["systemctl", "is-system-running", "--wait"], undefined, 60_000);
      last = `${state.stdout.trim()} ${state.stderr.trim()}`;
      return ["running", "degraded"].includes(state.stdout.trim()) ? true : undefined;
    },
    180_000,
    500,
  );
  const net = async (...args: string[]) => {
    const r = await inGuest(guest, ["ip", ...args]);
    if (r.code !== 0) throw new Error(`${spec.hostname}: ip ${args.join(" ")}: ${r.stderr.trim()}`);
  };
  await net("addr", "add", `${spec.ip}/${spec.prefixLength}`, "dev", "eth0");
  await net("link", "set", "eth0", "up");
  if (spec.gateway) await net("route", "add", "default", "via", spec.gateway);
  return guest;
}
