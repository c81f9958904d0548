/**
 * What the box runs, taken from the real program under mocks: every provisioning command (its
 * command line, stdin and the commands it waits for) and every LXC guest (VMID, node, addresses,
 * mount points, limits), from the same registrations the deploy benchmark records.
 */
import { createHmac } from "node:crypto";
import type { StackFile } from "../../config/stack-file";
import { simulateDeploy, type SimResource } from "../../bench/lib/deploy-sim";
import type { SecretSource } from "../../scripts/lib/mock-outputs";
import { nfsStoragesFrom, type BoxNfsStorage } from "./shared-storage";

const COMMAND_TYPE = "command:remote:Command";
const CONTAINER_TYPE = "proxmoxve:index/containerLegacy:ContainerLegacy";

/** One registered provisioning command, exactly as `pulumi up` would run it. */
export interface BoxCommand {
  urn: string;
  name: string;
  /** The SSH target (a Proxmox node's address). */
  host: string;
  /** The command line, e.g. `pct exec 210 -- bash -s`. */
  create: string;
  /** The stdin: export prelude (secrets) and script. Never printed. */
  stdin: string;
  /** Commands and guests that must be done first (through any chain of registered dependencies). */
  after: string[];
}

/** A mount point as registered on the container. */
export interface BoxMountPoint {
  /** `<storage>` (a volume of this guest) or an absolute node path (a bind mount). */
  volume: string;
  path: string;
}

/** One LXC guest as registered. */
export interface BoxGuest {
  urn: string;
  /** Registered resource name. */
  name: string;
  /** Commands that must have succeeded before Pulumi would create it. */
  after: string[];
  vmid: number;
  node: string;
  hostname: string;
  ip: string;
  prefixLength: number;
  gateway?: string;
  dnsServers: string[];
  unprivileged: boolean;
  cores?: number;
  memoryMb?: number;
  mountPoints: BoxMountPoint[];
}

export interface BoxPlan {
  stack: string;
  guests: BoxGuest[];
  /** In an order that respects `after` (which may name guests as well as commands). */
  commands: BoxCommand[];
  /** The registered NFS storages of the cluster. */
  nfsStorages: BoxNfsStorage[];
  /** Every registered resource (firewall resources are read from here). */
  resources: SimResource[];
}

/**
 * Fake generated secrets that are the same on every run (so a second run of a script sees the same
 * passwords, as a second `pulumi up` does) and never real credentials.
 */
export function boxSecrets(seed: string): SecretSource {
  const digest = (name: string, length: number) => {
    const chunks: Buffer[] = [];
    for (let i = 0; Buffer.concat(chunks).length < length; i++) {
      chunks.push(createHmac("sha256", seed).update(`${name}#${i}`).digest());
    }
    return Buffer.concat(chunks).subarray(0, length);
  };
  return {
    password: (name, length) => digest(name, length).toString("base64url").slice(0, length),
    bytes: (name, length) => digest(name, length),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (value && typeof value === "object" ? (value as Obj) : {});
const list = (value: unknown): Obj[] => (Array.isArray(value) ? value.map(obj) : []);

/** A registered container's box view. */
export function guestFrom(r: SimResource): BoxGuest {
  const i = r.clearInputs ?? {};
  const init = obj(i.initialization);
  const ipv4 = obj(list(init.ipConfigs)[0]?.ipv4);
  const [ip, prefix] = (str(ipv4.address) ?? "").split("/");
  if (!ip || !prefix) throw new Error(`${r.name}: no static IPv4 address registered`);
  return {
    urn: r.urn,
    name: r.name,
    after: [],
    vmid: num(i.vmId)!,
    node: str(i.nodeName)!,
    hostname: str(init.hostname) ?? r.name,
    ip,
    prefixLength: Number(prefix),
    gateway: str(ipv4.gateway),
    dnsServers: (obj(init.dns).servers as string[] | undefined) ?? [],
    unprivileged: i.unprivileged === true,
    cores: num(obj(i.cpu).cores),
    memoryMb: num(obj(i.memory).dedicated),
    mountPoints: list(i.mountPoints).map((m) => ({ volume: str(m.volume) ?? "", path: str(m.path) ?? "" })),
  };
}

const STEP_TYPES = new Set([COMMAND_TYPE, CONTAINER_TYPE]);

/**
 * For each step (a command or a container), the steps it waits for: registered dependencies
 * followed through any resources that are not steps (a password, a firewall rule, a component).
 */
export function stepOrder(resources: SimResource[]): Map<string, string[]> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const isStep = (urn: string) => STEP_TYPES.has(byUrn.get(urn)?.type ?? "");
  const after = new Map<string, string[]>();
  for (const r of resources) {
    if (!STEP_TYPES.has(r.type)) continue;
    const found = new Set<string>();
    const seen = new Set<string>();
    const queue = [...r.dependencies, ...r.providers];
    while (queue.length > 0) {
      const urn = queue.pop()!;
      if (seen.has(urn)) continue;
      seen.add(urn);
      if (isStep(urn)) {
        found.add(urn);
        continue;
      }
      const dep = byUrn.get(urn);
      if (dep) queue.push(...dep.dependencies, ...dep.providers);
    }
    after.set(r.urn, [...found].sort());
  }
  return after;
}

/** Orders steps so each comes after everything in its `after` list (Kahn, stable by name). */
export function topologicalOrder<T extends { urn: string; name: string; after: string[] }>(
  commands: T[],
): T[] {
  const pending = new Map(commands.map((c) => [c.urn, c]));
  const done = new Set<string>();
  const ordered: T[] = [];
  while (pending.size > 0) {
    const ready = [...pending.values()]
      .filter((c) => c.after.every((a) => done.has(a) || !pending.has(a)))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (ready.length === 0) throw new Error(`dependency cycle among ${[...pending.keys()].join(", ")}`);
    for (const c of ready) {
      pending.delete(c.urn);
      done.add(c.urn);
      ordered.push(c);
    }
  }
  return ordered;
}

/** Runs the program under mocks with `file` and returns what the box must build and run. */
export async function collectPlan(file: StackFile, root: string, seed: string): Promise<BoxPlan> {
  const run = await simulateDeploy(file.stack, 1e6, root, {
    file,
    secrets: boxSecrets(seed),
    keepInputs: true,
  });
  const after = stepOrder(run.resources);
  const commands = run.resources
    .filter((r) => r.type === COMMAND_TYPE)
    .map((r) => {
      const i = r.clearInputs ?? {};
      return {
        urn: r.urn,
        name: r.name,
        host: str(obj(i.connection).host) ?? "",
        create: str(i.create) ?? "",
        stdin: str(i.stdin) ?? "",
        after: after.get(r.urn) ?? [],
      };
    });
  return {
    stack: file.stack,
    guests: run.resources
      .filter((r) => r.type === CONTAINER_TYPE)
      .map((r) => ({ ...guestFrom(r), after: after.get(r.urn) ?? [] })),
    commands: topologicalOrder(commands),
    nfsStorages: nfsStoragesFrom(run.resources),
    resources: run.resources,
  };
}
