/**
 * The firewall's input model (the site's guests and the service graph's edges) and its validation into
 * a normalised form. Pure: no Pulumi import. The edges are the graph's own (`config/service-edge.ts`),
 * taken as they are: an edge to a guest becomes an allow rule on that guest, an edge to every guest
 * (SSH from the admin networks) one on each, and an edge to a Proxmox node is the node firewall's
 * (`node-rules.ts`), left out here. So every opened port is explained by an edge.
 */
import {
  EVERY_GUEST,
  PROTOCOLS,
  edgeNode,
  isPortless,
  type PortRange,
  type PortSpec,
  type Protocol,
  type ServiceEdge,
} from "../../config/service-edge";
import { cidrWithin, compareCidrs, parseCidr, type Cidr } from "./cidr";

export interface FirewallGuest {
  /** Stack-config key, e.g. `database-primary`. */
  key: string;
  vmid: number;
  hostname: string;
  /** The guest's static address; a `/prefix` (as in Proxmox ipConfig) is ignored. */
  ip: string;
}

export interface FirewallModel {
  /** The site network, e.g. `192.168.0.0/24`; every guest IP lies inside it. */
  siteCidr: string;
  /** Networks administrators come from; the only sources allowed to reach SSH (22/tcp). */
  adminCidrs: readonly string[];
  guests: readonly FirewallGuest[];
  /** The service graph's edges; those to a Proxmox node (`host:<node>`) are not the guests' business. */
  edges: readonly ServiceEdge[];
}

export interface ResolvedGuest extends FirewallGuest {
  /** Canonical address without prefix. */
  ip: string;
}

export interface ResolvedEdge {
  /** Guest hostname or the named source's label (the rule comment names it, e.g. `(from admin)`). */
  fromLabel: string;
  /** Key of the source guest, when the source is a guest. */
  fromGuest?: string;
  /** Sorted, deduplicated source networks. */
  sources: Cidr[];
  /** The destination guest, or every guest of the site. */
  to: ResolvedGuest | typeof EVERY_GUEST;
  protocol: Protocol;
  /** Sorted, merged port ranges; empty for portless protocols. */
  ports: PortRange[];
  purpose: string;
}

export interface ResolvedModel {
  site: Cidr;
  /** Sorted, deduplicated. */
  admin: Cidr[];
  /** Sorted by VMID. */
  guests: ResolvedGuest[];
  edges: ResolvedEdge[];
}

/** Thrown with every problem of a model at once. */
export class FirewallModelError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid firewall model:\n  ${problems.join("\n  ")}`);
    this.name = "FirewallModelError";
  }
}

/** Sorts and merges overlapping or adjacent ranges. */
export function mergePorts(specs: readonly PortSpec[]): PortRange[] {
  const ranges = specs
    .map((s) => (typeof s === "number" ? { from: s, to: s } : { from: s.from, to: s.to }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const merged: PortRange[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else merged.push({ ...r });
  }
  return merged;
}

/** Proxmox `dport` text: `80,443,8000:8010`. */
export function formatPorts(ranges: readonly PortRange[]): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}:${r.to}`)).join(",");
}

function uniqueSorted(cidrs: Cidr[]): Cidr[] {
  const seen = new Map(cidrs.map((c) => [c.text, c]));
  return [...seen.values()].sort(compareCidrs);
}

function parseCidrList(problems: string[], where: string, texts: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const text of texts) {
    const cidr = parseCidr(text);
    if (cidr) out.push(cidr);
    else problems.push(`${where}: ${text} is not an address or a network CIDR (host bits must be zero)`);
  }
  return uniqueSorted(out);
}

const ONE_LINE = /^[^\r\n|]{1,200}$/;

function resolveGuests(problems: string[], model: FirewallModel, site: Cidr | undefined): ResolvedGuest[] {
  const guests: ResolvedGuest[] = [];
  const seen = { key: new Set<string>(), vmid: new Set<number>(), ip: new Set<string>() };
  for (const g of model.guests) {
    const where = `guests.${g.key}`;
    if (!/^[a-z0-9][a-z0-9-]*$/.test(g.key))
      problems.push(`${where}: key must be lower-case letters, digits and -`);
    if (seen.key.has(g.key)) problems.push(`${where}: duplicate key`);
    if (!Number.isInteger(g.vmid) || g.vmid < 100 || g.vmid > 999999999)
      problems.push(`${where}.vmid: ${g.vmid} is not a VMID`);
    if (seen.vmid.has(g.vmid)) problems.push(`${where}.vmid: ${g.vmid} is used by another guest`);
    const ip = parseCidr(g.ip.split("/")[0]);
    if (!ip) problems.push(`${where}.ip: ${g.ip} is not an address`);
    else if (seen.ip.has(ip.text)) problems.push(`${where}.ip: ${ip.text} is used by another guest`);
    else if (site && !cidrWithin(ip, site))
      problems.push(`${where}.ip: ${ip.text} is outside siteCidr ${site.text}`);
    seen.key.add(g.key);
    seen.vmid.add(g.vmid);
    if (ip) seen.ip.add(ip.text);
    guests.push({ ...g, ip: ip?.text ?? g.ip });
  }
  return guests.sort((a, b) => a.vmid - b.vmid);
}

function resolvePorts(problems: string[], where: string, edge: ServiceEdge): PortRange[] {
  if (isPortless(edge.protocol)) {
    if (edge.ports && edge.ports.length > 0) problems.push(`${where}: ${edge.protocol} has no ports`);
    return [];
  }
  if (!edge.ports || edge.ports.length === 0) problems.push(`${where}: ${edge.protocol} needs ports`);
  for (const p of edge.ports ?? []) {
    const [from, to] = typeof p === "number" ? [p, p] : [p.from, p.to];
    const ok = [from, to].every((n) => Number.isInteger(n) && n >= 1 && n <= 65535) && from <= to;
    if (!ok) problems.push(`${where}: port ${JSON.stringify(p)} is not a port or range within 1-65535`);
  }
  return mergePorts(edge.ports ?? []);
}

function resolveEdge(
  problems: string[],
  edge: ServiceEdge,
  index: number,
  byKey: Map<string, ResolvedGuest>,
  admin: Cidr[],
): ResolvedEdge | undefined {
  const fromText = "guest" in edge.from ? edge.from.guest : edge.from.label;
  const where = `edges[${index}] (${fromText} → ${edge.to})`;
  const before = problems.length;
  const to = edge.to === EVERY_GUEST ? EVERY_GUEST : byKey.get(edge.to);
  if (!to) problems.push(`${where}.to: no guest with key ${edge.to}`);
  if (to === EVERY_GUEST && "guest" in edge.from)
    problems.push(`${where}.from: an edge to every guest comes from named networks, not a guest`);
  let sources: Cidr[] = [];
  let fromLabel = fromText;
  let fromGuest: string | undefined;
  if ("guest" in edge.from) {
    const from = byKey.get(edge.from.guest);
    if (!from) problems.push(`${where}.from: no guest with key ${edge.from.guest}`);
    else if (from.key === edge.to) problems.push(`${where}: a guest needs no rule to reach itself`);
    else {
      sources = [parseCidr(from.ip) as Cidr];
      fromLabel = from.hostname;
      fromGuest = from.key;
    }
  } else {
    if (!ONE_LINE.test(edge.from.label)) problems.push(`${where}.from.label: must be one line without |`);
    if (edge.from.cidrs.length === 0) problems.push(`${where}.from.cidrs: empty`);
    sources = parseCidrList(problems, `${where}.from.cidrs`, edge.from.cidrs);
  }
  if (!PROTOCOLS.includes(edge.protocol))
    problems.push(`${where}.protocol: ${String(edge.protocol)} is not tcp, udp, icmp or vrrp`);
  const ports = PROTOCOLS.includes(edge.protocol) ? resolvePorts(problems, where, edge) : [];
  if (!ONE_LINE.test(edge.purpose))
    problems.push(`${where}.purpose: must be one line (1-200 characters, no |)`);
  if (edge.protocol === "icmp" && sources.some((c) => c.family === "ipv6")) {
    problems.push(`${where}: icmp is IPv4 only; list IPv4 sources (Proxmox names ICMPv6 ipv6-icmp)`);
  }
  const opensSsh = edge.protocol === "tcp" && ports.some((r) => r.from <= 22 && 22 <= r.to);
  if (opensSsh && !sources.every((s) => admin.some((a) => cidrWithin(s, a)))) {
    problems.push(`${where}: SSH (22/tcp) may be opened only from adminCidrs`);
  }
  if (problems.length > before || !to) return undefined;
  return { fromLabel, fromGuest, sources, to, protocol: edge.protocol, ports, purpose: edge.purpose };
}

/** Validates the model and returns it normalised; throws FirewallModelError listing every problem. */
export function resolveFirewallModel(model: FirewallModel): ResolvedModel {
  const problems: string[] = [];
  const site = parseCidr(model.siteCidr);
  if (!site) problems.push(`siteCidr: ${model.siteCidr} is not a network CIDR`);
  const admin = parseCidrList(problems, "adminCidrs", model.adminCidrs);
  const guests = resolveGuests(problems, model, site);
  const byKey = new Map(guests.map((g) => [g.key, g]));
  const edges: ResolvedEdge[] = [];
  model.edges.forEach((edge, i) => {
    if (edgeNode(edge) !== undefined) return;
    const resolved = resolveEdge(problems, edge, i, byKey, admin);
    if (resolved) edges.push(resolved);
  });
  if (problems.length > 0 || !site) throw new FirewallModelError(problems);
  return { site, admin, guests, edges };
}
