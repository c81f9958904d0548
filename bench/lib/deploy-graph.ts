/**
 * Turns a simulated run into a dependency DAG and judges it: the critical-path bound, the
 * measured/bound ratio, waits the declared graph does not explain, and explicit waits between
 * guests that never talk to each other. Pure: recorded resources and the wiring in, findings out.
 */
import type { ServiceEdge } from "../../config/wiring";
import { hiddenWaits, longestPath, type DagEdge, type DagNode, type Timing } from "./critical-path";
import type { SimResource } from "./deploy-sim";

/** Why a resource waits for another (a pair can have several reasons). */
export type EdgeKind = "parent" | "provider" | "input" | "dependsOn";

export interface KindedEdge extends DagEdge {
  kinds: EdgeKind[];
}

const SITE_TYPE = "proxmox-sites:site:Site";
const STACK_TYPE = "pulumi:pulumi:Stack";

/** Every wait the SDK enforced before registering a resource, one edge per (from, to). */
export function dependencyEdges(resources: SimResource[]): KindedEdge[] {
  const known = new Set(resources.map((r) => r.urn));
  const edges = new Map<string, KindedEdge>();
  const add = (from: string, to: string, kind: EdgeKind) => {
    if (from === to || !known.has(from)) return;
    const key = `${from}\n${to}`;
    const e = edges.get(key) ?? { from, to, kinds: [] };
    if (!e.kinds.includes(kind)) e.kinds.push(kind);
    edges.set(key, e);
  };
  for (const r of resources) {
    if (r.parent) add(r.parent, r.urn, "parent");
    for (const p of r.providers) add(p, r.urn, "provider");
    const inputs = new Set(r.inputDependencies);
    for (const d of r.dependencies) add(d, r.urn, inputs.has(d) ? "input" : "dependsOn");
  }
  return [...edges.values()];
}

/** The top-level component (child of the Site) a resource belongs to; "site" for the Site's own. */
export function tierOf(resources: SimResource[]): Map<string, string> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const tiers = new Map<string, string>();
  for (const r of resources) {
    let cur: SimResource | undefined = r;
    let tier = "site";
    while (cur) {
      const parent: SimResource | undefined = cur.parent ? byUrn.get(cur.parent) : undefined;
      if (cur.type === SITE_TYPE || cur.type === STACK_TYPE) break;
      if (parent?.type === SITE_TYPE) {
        tier = cur.custom ? "site" : cur.name;
        break;
      }
      cur = parent;
    }
    tiers.set(r.urn, tier);
  }
  return tiers;
}

const VMID_IN_COMMAND = /\b(?:pct\s+(?:exec|push|set)|qm\s+(?:set|config))\s+(\d+)/;

/** The guest (by inventory key) a custom resource creates or acts on, from its VMID. */
export function guestOf(resources: SimResource[], guestKeyByVmid: Map<number, string>): Map<string, string> {
  const guests = new Map<string, string>();
  for (const r of resources) {
    if (!r.custom) continue;
    let vmid: number | undefined;
    if (typeof r.inputs.vmId === "number") vmid = r.inputs.vmId;
    else if (typeof r.inputs.containerId === "number") vmid = r.inputs.containerId;
    else if (typeof r.inputs.create === "string") {
      const m = VMID_IN_COMMAND.exec(r.inputs.create);
      if (m) vmid = Number(m[1]);
    }
    const key = vmid === undefined ? undefined : guestKeyByVmid.get(vmid);
    if (key) guests.set(r.urn, key);
  }
  return guests;
}

/** An explicit wait between guests with no wiring edge: the waiting guest never uses the other. */
export interface NeedlessWait {
  from: string;
  to: string;
  fromGuest: string;
  toGuest: string;
}

/**
 * Explicit dependsOn edges (no data flows) from a resource of guest A to one of guest B where B
 * never opens a connection to A: B's provisioning cannot need A to exist.
 */
export function needlessWaits(
  edges: KindedEdge[],
  guests: Map<string, string>,
  wiring: ServiceEdge[],
): NeedlessWait[] {
  const talks = new Set(wiring.flatMap((e) => ("guest" in e.from ? [`${e.from.guest}\n${e.to}`] : [])));
  const found: NeedlessWait[] = [];
  for (const e of edges) {
    if (!e.kinds.includes("dependsOn") || e.kinds.includes("input")) continue;
    const fromGuest = guests.get(e.from);
    const toGuest = guests.get(e.to);
    if (!fromGuest || !toGuest || fromGuest === toGuest) continue;
    if (!talks.has(`${toGuest}\n${fromGuest}`)) found.push({ from: e.from, to: e.to, fromGuest, toGuest });
  }
  return found;
}

export interface DeployAnalysis {
  resourceCount: number;
  customCount: number;
  /** Earliest-start schedule in the latency table's seconds. */
  boundSeconds: number;
  /** Measured first registration to last creation, converted back to the table's seconds. */
  simulatedSeconds: number;
  simulatedMs: number;
  ratio: number;
  criticalPath: { urn: string; startSeconds: number; latencySeconds: number; via: EdgeKind[] }[];
  needless: NeedlessWait[];
  /** The bound once the needless waits are gone. */
  boundWithoutNeedlessSeconds: number;
  /** Waits above the threshold the declared graph does not explain (table seconds). */
  hidden: { urn: string; waitSeconds: number }[];
  unknownTypes: string[];
  /** Per tier: earliest start and finish in the bound's schedule. */
  tiers: Span[];
  /** Per guest: the same for the resources that create it or act in it. */
  guests: Span[];
}

/** When a group of resources starts and finishes in the earliest-start schedule. */
export interface Span {
  name: string;
  startSeconds: number;
  finishSeconds: number;
}

/** Spans of the groups `groupOf` puts resources in; resources under a second are ignored. */
function spans(
  resources: SimResource[],
  groupOf: (urn: string) => string | undefined,
  start: Map<string, number>,
  finish: Map<string, number>,
): Span[] {
  const byName = new Map<string, Span>();
  for (const r of resources) {
    const name = groupOf(r.urn);
    if (!r.custom || r.latencySeconds < 1 || name === undefined) continue;
    const t = byName.get(name) ?? { name, startSeconds: Infinity, finishSeconds: 0 };
    t.startSeconds = Math.min(t.startSeconds, start.get(r.urn)!);
    t.finishSeconds = Math.max(t.finishSeconds, finish.get(r.urn)!);
    byName.set(name, t);
  }
  return [...byName.values()].sort((a, b) => a.startSeconds - b.startSeconds || a.name.localeCompare(b.name));
}

/** Scores a run: `scale` converts measured milliseconds back to the table's seconds. */
export function analyseRun(
  resources: SimResource[],
  scale: number,
  guestKeyByVmid: Map<number, string>,
  wiring: ServiceEdge[],
): DeployAnalysis {
  const nodes: DagNode[] = resources.map((r) => ({ id: r.urn, latency: r.latencySeconds }));
  const edges = dependencyEdges(resources);
  const cp = longestPath(nodes, edges);
  const timed = resources.filter((r) => r.type !== STACK_TYPE);
  const firstMs = Math.min(...timed.map((r) => r.startMs));
  const lastMs = Math.max(...timed.map((r) => r.endMs));
  const simulatedMs = timed.length ? lastMs - firstMs : 0;
  const toSeconds = (ms: number) => (ms * scale) / 1000;
  const timing = new Map<string, Timing>(
    timed.map((r) => [r.urn, { start: toSeconds(r.startMs - firstMs), end: toSeconds(r.endMs - firstMs) }]),
  );
  const threshold = Math.max(1, cp.length * 0.01);
  const guests = guestOf(resources, guestKeyByVmid);
  const needless = needlessWaits(edges, guests, wiring);
  const drop = new Set(needless.map((n) => `${n.from}\n${n.to}`));
  const kept = edges.filter((e) => !drop.has(`${e.from}\n${e.to}`));
  const edgeKinds = new Map(edges.map((e) => [`${e.from}\n${e.to}`, e.kinds]));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const tierByUrn = tierOf(resources);
  const simulatedSeconds = toSeconds(simulatedMs);
  return {
    resourceCount: resources.filter((r) => r.type !== STACK_TYPE).length,
    customCount: resources.filter((r) => r.custom).length,
    boundSeconds: cp.length,
    simulatedSeconds,
    simulatedMs,
    ratio: cp.length > 0 ? simulatedSeconds / cp.length : 1,
    criticalPath: cp.path.map((urn, i) => ({
      urn,
      startSeconds: cp.start.get(urn)!,
      latencySeconds: byUrn.get(urn)!.latencySeconds,
      via: i === 0 ? [] : (edgeKinds.get(`${cp.path[i - 1]}\n${urn}`) ?? []),
    })),
    needless,
    boundWithoutNeedlessSeconds: longestPath(nodes, kept).length,
    hidden: hiddenWaits(nodes, edges, timing, threshold).map((h) => ({ urn: h.id, waitSeconds: h.wait })),
    unknownTypes: [...new Set(resources.filter((r) => !r.knownLatency).map((r) => r.type))].sort(),
    tiers: spans(resources, (urn) => tierByUrn.get(urn), cp.start, cp.finish),
    guests: spans(resources, (urn) => guests.get(urn), cp.start, cp.finish),
  };
}
