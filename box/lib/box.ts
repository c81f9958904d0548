/**
 * The site in a box: boots a node stand-in per Proxmox node and a guest per registered LXC guest on
 * the site's own addresses, then runs every registered provisioning command over SSH in the order
 * of the program's dependency graph. Everything is undone at the end, also on failure.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ipaddr from "ipaddr.js";
import type { StackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import {
  aptPathEvidence,
  exposeAptCache,
  isAptPathFailure,
  onceMoreOnAptPathFailure,
  startAptCache,
} from "./apt-path";
import { ensureBase } from "./base";
import { registeredFirewall, type EnforcedFirewall, type FirewallHook } from "./firewall";
import { collectPlan, type BoxCommand, type BoxGuest, type BoxPlan } from "./collect";
import { runDag, type DagStep, type StepResult } from "./dag";
import { bootGuest, type BootedGuest, type BindMount, type BoxContext } from "./guest";
import {
  buildMirrorContent,
  MIRROR_PORT,
  mirrorTls,
  standInsOf,
  startMirror,
  withBoxMirrors,
  type StandIn,
} from "./mirror";
import { createClient, createSwitch } from "./network";
import { bootNode, sshArgs, waitForSsh, type BootedNode } from "./node";
import { must, run, type RunResult } from "./sh";
import { CLIENT_HOST_IF, CLIENT_NETNS, guestHostIf, SWITCH_NETNS } from "./instance";
import { stopLeftoverDaemons, unmountBelow, type Teardown } from "./teardown";
import { ensureInotifyInstances } from "./host-limits";
import { selectTiers, type TierSelection } from "./tiers";
import { hostPathOfNodePath, sharedStorageDirs, volumeDirOf, type SharedStorageDir } from "./shared-storage";
import { mountShifted } from "./id-shift";

export { SWITCH_NETNS, CLIENT_NETNS } from "./instance";

export type { FirewallHook } from "./firewall";

export interface BoxOptions {
  /**
   * Default: the registered firewall (box/lib/firewall.ts). `false` leaves every namespace open
   * (diagnosis only; the log says so loudly); a hook of its own replaces it.
   */
  firewall?: FirewallHook | false;
  file: StackFile;
  /** Undoes the box; the caller owns it so that a signal can run it too. */
  teardown: Teardown;
  root: string;
  cacheDir: string;
  parallel: number;
  /** Keep the box up after the steps until this resolves (--keep: until Ctrl-C). */
  hold?: () => Promise<void>;
  /** Runs after the steps, while the box is up (the checks). */
  afterSteps?: (box: RunningBox) => Promise<void>;
  log: (line: string) => void;
  /** Run only these tiers (and what they wait for); every tier when unset (tiers.ts). */
  tiers?: string[];
}

export interface RunningBox {
  plan: BoxPlan;
  /** How each step went. */
  steps: StepResult[];
  /** Runs a registered command again, exactly as the first time (for the second-run check). */
  runCommand: (c: BoxCommand) => Promise<RunResult>;
  clientNetns: string;
  guests: Map<number, BootedGuest>;
  nodes: Map<string, BootedNode>;
  runDir: string;
  /** The registered firewall's tables as loaded; undefined when the box runs without it. */
  firewall?: EnforcedFirewall;
  /** The box's plan for another stack file (with the box's mirrors and secrets), e.g. a changed value. */
  collect: (file: StackFile) => Promise<BoxPlan>;
}

export interface BoxReport {
  stack: string;
  /** Seconds: base and network ready, then every step. */
  setupSeconds: number;
  stepsSeconds: number;
  steps: StepResult[];
  /** Vendor downloads the box served from stand-ins. */
  standIns: StandIn[];
  /** Whether the apt cache held packages before this run. */
  aptCache: "warm" | "cold";
  ok: boolean;
  /** With `tiers`: the tiers run and the steps left out. */
  selection?: { tiers: string[]; leftOut: TierSelection["leftOut"]; pulledIn: string[] };
  /**
   * Steps run a second time because their first run failed on the box's own apt path (its relay
   * stands in for the internet), each with that first failure; the second run's result is the step's.
   */
  aptPathRetries: { step: string; firstFailure: string }[];
}

const runDirOf = (cacheDir: string) => join(cacheDir, "run");

/**
 * One box at a time per cache: a second run would take the first one's namespaces and guests for
 * leftovers. Returns the release function; throws naming the running box's pid.
 */
export function lockBox(cacheDir: string): () => void {
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, "box.lock");
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, "utf8").trim());
    if (pid > 0 && pid !== process.pid && existsSync(`/proc/${pid}`)) {
      throw new Error(`another box is running (pid ${pid}, lock ${lock}); wait for it or stop it`);
    }
  }
  writeFileSync(lock, `${process.pid}\n`);
  return () => rmSync(lock, { force: true });
}

/** Undoes whatever a crashed or kept earlier run left: processes, mounts, namespaces. */
export async function cleanLeftovers(cacheDir: string, log: (l: string) => void): Promise<void> {
  const runDir = runDirOf(cacheDir);
  const stopped = await stopLeftoverDaemons(runDir);
  if (stopped.length) log(`stopped leftovers: ${stopped.join(", ")}`);
  const mounts = await unmountBelow(join(runDir, "guests"));
  if (mounts.length) log(`unmounted ${mounts.length} leftover overlays`);
  const netns = (await run("ip", ["netns", "list"])).stdout;
  for (const ns of [SWITCH_NETNS, CLIENT_NETNS]) {
    if (new RegExp(`^${ns}\\b`, "m").test(netns)) await must("ip", ["netns", "del", ns]);
  }
  rmSync(runDir, { recursive: true, force: true });
}

/** The operator's address: the first free host address of the first admin network. */
export function clientAddress(adminCidrs: string[], cidr: string, taken: Set<string>): string {
  for (const range of [...adminCidrs, cidr]) {
    const [net, prefix] = ipaddr.IPv4.parseCIDR(range);
    const first = ipaddr.IPv4.networkAddressFromCIDR(range).toByteArray();
    const size = 2 ** (32 - prefix);
    const base = first.reduce((n, b) => n * 256 + b, 0);
    for (let i = 1; i < size - 1; i++) {
      const a = base + i;
      const ip = [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");
      if (!taken.has(ip) && ipaddr.IPv4.parse(ip).match(ipaddr.IPv4.parseCIDR(cidr))) return ip;
    }
    void net;
  }
  throw new Error(`no free address for the box's client in ${adminCidrs.join(", ")} or ${cidr}`);
}

/** The storage of a bind mount's node path `/mnt/pve/<storage>/…`, if it is one. */
export function nodeStorageOf(volume: string): string | undefined {
  return /^\/mnt\/pve\/([^/]+)\//.exec(volume)?.[1];
}

/**
 * Where each registered mount point comes from on the host. A bind mount of a node path is the node's
 * directory (for a storage a box guest serves, the shared host directory behind every node's
 * `/mnt/pve/<id>`); in a guest the stack marks unprivileged it is shown through the id shift LXC
 * would apply (`id-shift.ts`).
 */
async function bindsFor(
  g: BoxGuest,
  node: BootedNode,
  runDir: string,
  shared: SharedStorageDir[],
  teardown: Teardown,
): Promise<BindMount[]> {
  const binds: BindMount[] = [];
  for (const [i, m] of g.mountPoints.entries()) {
    if (m.volume.startsWith("/")) {
      const source = hostPathOfNodePath(m.volume, node.guest.root, shared);
      if (!g.unprivileged || !existsSync(source)) {
        binds.push({ source, target: m.path });
        continue;
      }
      const shifted = join(runDir, "guests", `ct${g.vmid}`, `shifted-mp${i}`);
      await mountShifted(teardown, source, shifted);
      binds.push({ source: shifted, target: m.path });
      continue;
    }
    // A storage-backed volume: a fresh, empty file system of this guest alone.
    const source = volumeDirOf(runDir, g.vmid, i);
    mkdirSync(source, { recursive: true });
    binds.push({ source, target: m.path });
  }
  return binds;
}

/** What the box stands in for on the Proxmox side (not vendor downloads), for the report. */
export function platformStandIns(plan: BoxPlan, shared: SharedStorageDir[]): StandIn[] {
  const found: StandIn[] = shared.map((s) => ({
    what: `the nodes' NFS client (storage ${s.storage.id})`,
    how: `one host directory behind ${s.node}'s ${s.storage.exportPath} and every node stand-in's /mnt/pve/${s.storage.id}: this kernel has no NFS client; the server is the real NFS-Ganesha on ${s.node} (checked over NFSv4 with libnfs)`,
  }));
  if (plan.guests.some((g) => g.unprivileged && g.mountPoints.some((m) => m.volume.startsWith("/"))))
    found.push({
      what: "the id shift of unprivileged guests' bind mounts",
      how: "bindfs shows host 100000/100033 as 0/33 (root, www-data) in guests the stack marks unprivileged: the guests boot privileged here",
    });
  return found;
}

/** A failed command's error: its exit, its last lines and, on the apt path, the cache's and relays' logs. */
function failureOf(c: BoxCommand, r: RunResult, runDir: string): string {
  const tail = r.stderr.trim().split("\n").slice(-6).join("\n    ");
  const evidence = isAptPathFailure(r.stderr) ? `\n    apt path: ${aptPathEvidence(runDir)}` : "";
  return `${c.create} exited ${r.timedOut ? "(timed out)" : r.code}\n    ${tail}${evidence}`;
}

export async function runBox(o: BoxOptions): Promise<BoxReport> {
  const t0 = Date.now();
  const runDir = runDirOf(o.cacheDir);
  const aptStore = join(o.cacheDir, "apt");
  const aptCache = existsSync(aptStore) && readdirSync(aptStore).length > 0 ? "warm" : "cold";
  await cleanLeftovers(o.cacheDir, o.log);
  ensureInotifyInstances(o.log);
  mkdirSync(runDir, { recursive: true });
  const { config } = validateSiteConfig(o.file.stack, o.file.values);
  const mirrorAddress = config.proxmox.nodes[0].address;
  const mirror = await buildMirrorContent(runDir, o.file, o.cacheDir);
  const file = withBoxMirrors(o.file, mirror, mirrorAddress);
  o.log(
    `collecting ${o.file.stack}'s guests and commands under mocks (vendor downloads from https://${mirrorAddress}/)`,
  );
  const seed = `proxmox-sites-box-${o.file.stack}`;
  const fullPlan = await collectPlan(file, o.root, seed);
  const selection = o.tiers ? selectTiers(fullPlan, o.tiers) : undefined;
  const plan = selection?.plan ?? fullPlan;
  o.log(`${plan.guests.length} guests, ${plan.commands.length} commands`);
  if (selection)
    o.log(
      `tiers ${o.tiers!.join(", ")}: ${selection.leftOut.length} steps left out, ${selection.pulledIn.length} pulled in as dependencies`,
    );
  const mirrorExemption = {
    address: mirrorAddress,
    port: MIRROR_PORT,
    why: "vendor mirror (stands in for the internet)",
  };
  const enforced = o.firewall === undefined ? registeredFirewall([mirrorExemption]) : undefined;
  const firewall = o.firewall === false ? undefined : (o.firewall ?? enforced);
  if (!firewall)
    o.log("WARNING: --no-firewall: the registered firewall is NOT enforced; every namespace is open");
  const teardown = o.teardown;
  // Runs last: the guests' writable layers and volumes go (logs and step output stay for reading).
  teardown.add("delete the guests' layers", async () => {
    for (const d of ["guests", "volumes", "mirror"])
      rmSync(join(runDir, d), { recursive: true, force: true });
  });
  try {
    const cache = await startAptCache(teardown, o.cacheDir, runDir);
    const base = await ensureBase(o.cacheDir, cache.hostUrl, o.log);
    const prefix = Number(config.network.cidr.split("/")[1]);
    const gateway = config.network.gateway;
    const sw = await createSwitch(teardown, SWITCH_NETNS, `${gateway}/${prefix}`);
    exposeAptCache(teardown, runDir, cache, SWITCH_NETNS, gateway);
    const taken = new Set([
      gateway,
      ...fullPlan.guests.map((g) => g.ip),
      ...config.proxmox.nodes.map((n) => n.address),
    ]);
    const client = clientAddress(config.network.adminCidrs, config.network.cidr, taken);
    await createClient(teardown, sw, CLIENT_NETNS, CLIENT_HOST_IF, `${client}/${prefix}`, gateway);
    const keyFile = join(runDir, "id_box");
    await must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "proxmox-sites-box", "-f", keyFile]);
    const tls = await mirrorTls(o.cacheDir, runDir, mirrorAddress);
    const ctx: BoxContext = {
      teardown,
      runDir,
      base,
      sw,
      gateway,
      caCert: tls.caCert,
      mirrorAddress,
      log: o.log,
    };
    const search = config.site.internalDomain;
    const nodes = new Map<string, BootedNode>();
    // The stand-in for the nodes' NFS client: one host directory per storage a files node serves.
    const shared = sharedStorageDirs(plan.nfsStorages, config.proxmox.nodes, runDir);
    for (const s of shared) mkdirSync(s.exportDir, { recursive: true });
    for (const [i, n] of config.proxmox.nodes.entries()) {
      const named = plan.guests.flatMap((g) =>
        g.mountPoints.map((m) => nodeStorageOf(m.volume) ?? []).flat(),
      );
      const servedHere = shared.filter(
        (s) => s.storage.nodes.length === 0 || s.storage.nodes.includes(n.name),
      );
      const storages = [...new Set([...named, ...servedHere.map((s) => s.storage.id)])].map((id) => ({
        id,
        source: servedHere.find((s) => s.storage.id === id)?.exportDir,
      }));
      o.log(`booting node stand-in ${n.name} (${n.address})`);
      const node = await bootNode(
        ctx,
        {
          name: n.name,
          address: n.address,
          prefixLength: prefix,
          dnsServers: config.network.dns,
          searchDomain: search,
          storages,
          exports: shared
            .filter((s) => s.node === n.name)
            .map((s) => ({ source: s.exportDir, path: s.storage.exportPath })),
        },
        i,
        `${keyFile}.pub`,
      );
      if (firewall) await firewall.node(plan, node);
      nodes.set(n.name, node);
    }
    // Through the node's firewall: the client is the operator's workstation on network.adminCidrs.
    for (const n of nodes.values()) await waitForSsh(CLIENT_NETNS, keyFile, n.spec.address);
    const mirrorNode = [...nodes.values()].find((n) => n.spec.address === mirrorAddress)!;
    await startMirror(teardown, runDir, mirror, tls, mirrorNode.guest.pid, mirrorAddress);
    const setupSeconds = (Date.now() - t0) / 1000;
    o.log(`box ready in ${setupSeconds.toFixed(0)} s; running the steps`);
    const guests = new Map<number, BootedGuest>();
    const stepDir = join(runDir, "steps");
    mkdirSync(stepDir, { recursive: true });
    const runCommand = (c: BoxCommand) =>
      run("ip", sshArgs(CLIENT_NETNS, keyFile, c.host, c.create), { input: c.stdin, timeoutMs: 30 * 60_000 });
    const aptPathRetries: BoxReport["aptPathRetries"] = [];
    const dagSteps: DagStep[] = [
      ...plan.guests.map((g) => ({
        urn: g.urn,
        name: g.name,
        after: g.after,
        run: async () => {
          const node = nodes.get(g.node);
          if (!node) throw new Error(`${g.hostname}: node ${g.node} is not in proxmox.nodes`);
          const booted = await bootGuest(ctx, {
            key: `ct${g.vmid}`,
            hostname: g.hostname,
            ip: g.ip,
            prefixLength: g.prefixLength,
            gateway: g.gateway,
            dnsServers: g.dnsServers,
            searchDomain: search,
            hostIf: guestHostIf(g.vmid),
            binds: await bindsFor(g, node, runDir, shared, teardown),
          });
          if (firewall) await firewall.guest(plan, g.vmid, booted);
          guests.set(g.vmid, booted);
          node.broker.addGuest(g.vmid, booted);
        },
      })),
      ...plan.commands.map((c) => ({
        urn: c.urn,
        name: c.name,
        after: c.after,
        run: async () => {
          const r = await onceMoreOnAptPathFailure(
            () => runCommand(c),
            (first) => {
              const firstFailure = failureOf(c, first, runDir);
              aptPathRetries.push({ step: c.name, firstFailure });
              o.log(`retrying ${c.name} once: ${firstFailure}`);
            },
          );
          writeFileSync(join(stepDir, `${c.name}.out`), r.stdout);
          writeFileSync(join(stepDir, `${c.name}.err`), r.stderr);
          if (r.code !== 0) throw new Error(failureOf(c, r, runDir));
        },
      })),
    ];
    const stepsStart = Date.now();
    const steps = await runDag(dagSteps, o.parallel, (l) => o.log(l));
    const running: RunningBox = {
      plan,
      steps,
      runCommand,
      clientNetns: CLIENT_NETNS,
      guests,
      nodes,
      runDir,
      firewall: enforced,
      collect: (f) => collectPlan(withBoxMirrors(f, mirror, mirrorAddress), o.root, seed),
    };
    const report: BoxReport = {
      stack: o.file.stack,
      setupSeconds,
      stepsSeconds: (Date.now() - stepsStart) / 1000,
      steps,
      standIns: [...standInsOf(mirror), ...platformStandIns(plan, shared)],
      aptCache,
      ok: steps.every((s) => s.status === "ok"),
      aptPathRetries,
      ...(selection
        ? { selection: { tiers: o.tiers!, leftOut: selection.leftOut, pulledIn: selection.pulledIn } }
        : {}),
    };
    if (o.afterSteps) await o.afterSteps(running);
    if (o.hold) {
      o.log(`the box stays up (client namespace ${CLIENT_NETNS}, run dir ${runDir}); Ctrl-C stops it`);
      await o.hold();
    }
    return report;
  } finally {
    o.log("stopping the box");
    await teardown.runAll(o.log);
  }
}
