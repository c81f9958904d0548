/**
 * The firewall's input model (who talks to whom) and its validation into a normalised form.
 * Pure: no Pulumi import. The Site derives the edges from its wiring (Moodle → database 3306/tcp, …),
 * so every opened port is explained by a wiring edge.
 */
import { cidrWithin, compareCidrs, parseCidr, type Cidr } from "./cidr";

export type Protocol = "tcp" | "udp" | "icmp" | "vrrp";
/** Every protocol, in the order rules and matrix rows are sorted. */
export const PROTOCOLS: readonly Protocol[] = ["tcp", "udp", "icmp", "vrrp"];

/** Protocols without ports: ICMP (ping) and VRRP (keepalived between load balancers). */
export function isPortless(proto: Protocol): boolean {
  return proto === "icmp" || proto === "vrrp";
}

/** An inclusive port range. */
export interface PortRange {
  from: number;
  to: number;
}
export type PortSpec = number | PortRange;

export interface FirewallGuest {
  /** Stack-config key, e.g. `database-primary`. */
  key: string;
  vmid: number;
  hostname: string;
  /** The guest's static address; a `/prefix` (as in Proxmox ipConfig) is ignored. */
  ip: string;
}

/** Traffic from another guest of the site. */
export interface GuestSource {
  guest: string;
}
/** Traffic from named networks outside the guest list (the office LAN, a VPN range). */
export interface NamedSource {
  /** Shown in rule comments and the matrix, e.g. `office LAN`. */
  label: string;
  cidrs: readonly string[];
}
export type EdgeSource = GuestSource | NamedSource;

/** One allowed flow: `from` may reach `to` on `ports`/`proto`. */
export interface ServiceEdge {
  from: EdgeSource;
  /** Key of the destination guest. */
  to: string;
  proto: Protocol;
  /** Destination ports; required for tcp/udp, absent for icmp/vrrp. */
  ports?: readonly PortSpec[];
  /** Why the flow exists, e.g. `Moodle → MariaDB`; one line. */
  purpose: string;
}

export interface FirewallModel {
  /** The site network, e.g. `192.168.0.0/24`; every guest IP lies inside it. */
  siteCidr: string;
  /** Networks administrators come from; the only sources allowed to reach SSH (22/tcp). */
  adminCidrs: readonly string[];
  guests: readonly FirewallGuest[];
  edges: readonly ServiceEdge[];
  /** Open 22/tcp on every guest from adminCidrs. Default true. */
  adminSsh?: boolean;
}

export interface ResolvedGuest extends FirewallGuest {
  /** Canonical address without prefix. */
  ip: string;
}

export interface ResolvedEdge {
  /** Guest hostname or the named source's label. */
  fromLabel: string;
  /** Key of the source guest, when the source is a guest. */
  fromGuest?: string;
  /** Sorted, deduplicated source networks. */
  sources: Cidr[];
  to: ResolvedGuest;
  proto: Protocol;
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
  adminSsh: boolean;
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
  if (isPortless(edge.proto)) {
    if (edge.ports && edge.ports.length > 0) problems.push(`${where}: ${edge.proto} has no ports`);
    return [];
  }
  if (!edge.ports || edge.ports.length === 0) problems.push(`${where}: ${edge.proto} needs ports`);
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
  const to = byKey.get(edge.to);
  if (!to) problems.push(`${where}.to: no guest with key ${edge.to}`);
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
  if (!PROTOCOLS.includes(edge.proto))
    problems.push(`${where}.proto: ${String(edge.proto)} is not tcp, udp, icmp or vrrp`);
  const ports = PROTOCOLS.includes(edge.proto) ? resolvePorts(problems, where, edge) : [];
  if (!ONE_LINE.test(edge.purpose))
    problems.push(`${where}.purpose: must be one line (1-200 characters, no |)`);
  if (edge.proto === "icmp" && sources.some((c) => c.family === "ipv6")) {
    problems.push(`${where}: icmp is IPv4 only; list IPv4 sources (Proxmox names ICMPv6 ipv6-icmp)`);
  }
  const opensSsh = edge.proto === "tcp" && ports.some((r) => r.from <= 22 && 22 <= r.to);
  if (opensSsh && !sources.every((s) => admin.some((a) => cidrWithin(s, a)))) {
    problems.push(`${where}: SSH (22/tcp) may be opened only from adminCidrs`);
  }
  if (problems.length > before || !to) return undefined;
  return { fromLabel, fromGuest, sources, to, proto: edge.proto, ports, purpose: edge.purpose };
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
    const resolved = resolveEdge(problems, edge, i, byKey, admin);
    if (resolved) edges.push(resolved);
  });
  if (problems.length > 0 || !site) throw new FirewallModelError(problems);
  return { site, admin, guests, edges, adminSsh: model.adminSsh ?? true };
}
