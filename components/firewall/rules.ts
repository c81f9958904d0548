/**
 * Proxmox firewall rules computed from the wiring model. Pure: no Pulumi import.
 *
 * Per guest: input policy DROP, output ACCEPT, and one ACCEPT rule per (sources, ports, protocol)
 * that some wiring edge to it (or to every guest: SSH from the admin networks) asks for. Rules carry no `dest`: the rules
 * sit on the guest's own firewall, and a fixed destination would drop traffic to a floating VIP
 * (keepalived). Output is sorted, so reordering the stack file never changes a plan.
 * The shapes map 1:1 onto `proxmoxve.firewall.RulesLegacy` rules, `OptionsLegacy` and `IpsetLegacy`.
 */
import { EVERY_GUEST, PROTOCOLS, isPortless, type PortRange, type Protocol } from "../../config/service-edge";
import { compareCidrs, parseCidr, parseIp, cidrContainsIp, type Cidr } from "./cidr";
import {
  formatPorts,
  resolveFirewallModel,
  type FirewallModel,
  type ResolvedEdge,
  type ResolvedModel,
} from "./model";

export interface FirewallRule {
  type: "in";
  action: "ACCEPT";
  /** Comma-separated addresses/networks of one IP family. */
  source: string;
  /** Proxmox port list (`80,443,8000:8010`); absent for icmp/vrrp. */
  dport?: string;
  proto: Protocol;
  comment: string;
}

export interface GuestFirewallOptions {
  enabled: true;
  inputPolicy: "DROP";
  outputPolicy: "ACCEPT";
}

export interface GuestFirewall {
  key: string;
  vmid: number;
  hostname: string;
  ip: string;
  options: GuestFirewallOptions;
  /** Sorted. */
  rules: FirewallRule[];
}

export const GUEST_FIREWALL_OPTIONS: GuestFirewallOptions = {
  enabled: true,
  inputPolicy: "DROP",
  outputPolicy: "ACCEPT",
};
/** iptables multiport matches at most 15 ports per rule; a range counts as two. */
export const MAX_MULTIPORT_SLOTS = 15;

/** Splits ranges into groups that fit one multiport match. */
export function chunkPorts(ranges: readonly PortRange[]): PortRange[][] {
  const chunks: PortRange[][] = [];
  let current: PortRange[] = [];
  let slots = 0;
  for (const r of ranges) {
    const cost = r.from === r.to ? 1 : 2;
    if (slots + cost > MAX_MULTIPORT_SLOTS) {
      chunks.push(current);
      current = [];
      slots = 0;
    }
    current.push(r);
    slots += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function byFamily(cidrs: readonly Cidr[]): Cidr[][] {
  const v4 = cidrs.filter((c) => c.family === "ipv4");
  const v6 = cidrs.filter((c) => c.family === "ipv6");
  return [v4, v6].filter((group) => group.length > 0).map((group) => [...group].sort(compareCidrs));
}

function firstPort(rule: FirewallRule): number {
  return rule.dport ? Number(rule.dport.split(/[,:]/)[0]) : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Stable order (locale-independent): protocol, first port, port text, source. */
export function compareRules(a: FirewallRule, b: FirewallRule): number {
  return (
    PROTOCOLS.indexOf(a.proto) - PROTOCOLS.indexOf(b.proto) ||
    firstPort(a) - firstPort(b) ||
    compareText(a.dport ?? "", b.dport ?? "") ||
    compareText(a.source, b.source)
  );
}

interface Grant {
  sources: readonly Cidr[];
  proto: Protocol;
  ports: readonly PortRange[];
  comment: string;
}

function rulesFor(grants: readonly Grant[]): FirewallRule[] {
  const merged = new Map<string, { rule: Omit<FirewallRule, "comment">; comments: Set<string> }>();
  for (const g of grants) {
    const portChunks = isPortless(g.proto) ? [undefined] : chunkPorts(g.ports).map(formatPorts);
    for (const family of byFamily(g.sources)) {
      for (const dport of portChunks) {
        const source = family.map((c) => c.text).join(",");
        const id = `${g.proto}|${dport ?? ""}|${source}`;
        const entry = merged.get(id) ?? {
          rule: {
            type: "in" as const,
            action: "ACCEPT" as const,
            source,
            proto: g.proto,
            ...(dport ? { dport } : {}),
          },
          comments: new Set<string>(),
        };
        entry.comments.add(g.comment);
        merged.set(id, entry);
      }
    }
  }
  return [...merged.values()]
    .map(({ rule, comments }) => ({ ...rule, comment: [...comments].sort().join("; ") }))
    .sort(compareRules);
}

/**
 * A rule's comment: the edge's purpose and its source; an edge to every guest is the same rule on
 * each of them, and says only its purpose (`admin SSH`).
 */
function commentOf(e: ResolvedEdge): string {
  return e.to === EVERY_GUEST ? e.purpose : `${e.purpose} (from ${e.fromLabel})`;
}

/** Per-guest firewall (options + sorted rules) for every guest of a resolved model, by VMID. */
export function guestFirewallsFromResolved(model: ResolvedModel): GuestFirewall[] {
  return model.guests.map((guest) => {
    const grants: Grant[] = model.edges
      .filter((e) => e.to === EVERY_GUEST || e.to.key === guest.key)
      .map((e) => ({ sources: e.sources, proto: e.protocol, ports: e.ports, comment: commentOf(e) }));
    return {
      key: guest.key,
      vmid: guest.vmid,
      hostname: guest.hostname,
      ip: guest.ip,
      options: { ...GUEST_FIREWALL_OPTIONS },
      rules: rulesFor(grants),
    };
  });
}

/** Validates the model (throws FirewallModelError) and computes every guest's firewall. */
export function computeGuestFirewalls(model: FirewallModel): GuestFirewall[] {
  return guestFirewallsFromResolved(resolveFirewallModel(model));
}

function portMatches(dport: string | undefined, port: number | undefined): boolean {
  if (dport === undefined) return true;
  if (port === undefined) return false;
  return dport.split(",").some((part) => {
    const [from, to = from] = part.split(":").map(Number);
    return from <= port && port <= to;
  });
}

export interface AccessQuery {
  fromIp: string;
  /** Guest key. */
  toGuest: string;
  /** Destination port; required for tcp/udp. */
  port?: number;
  proto: Protocol;
}

const parsedSources = new WeakMap<FirewallRule, Cidr[]>();

function sourcesOf(rule: FirewallRule): Cidr[] {
  let cidrs = parsedSources.get(rule);
  if (!cidrs) {
    cidrs = rule.source.split(",").flatMap((text) => parseCidr(text) ?? []);
    parsedSources.set(rule, cidrs);
  }
  return cidrs;
}

/** What the guest's firewall decides for one packet: true only when a rule accepts it (policy DROP). */
export function isAllowed(firewalls: readonly GuestFirewall[], query: AccessQuery): boolean {
  const guest = firewalls.find((g) => g.key === query.toGuest);
  const ip = parseIp(query.fromIp);
  if (!guest || !ip) return false;
  return guest.rules.some(
    (rule) =>
      rule.action === "ACCEPT" &&
      rule.proto === query.proto &&
      (isPortless(rule.proto) || portMatches(rule.dport, query.port)) &&
      sourcesOf(rule).some((cidr) => cidrContainsIp(cidr, ip)),
  );
}

export interface IpSet {
  name: string;
  comment: string;
  cidrs: { name: string; comment: string }[];
}

/** An extra entry for an IP set, e.g. the tunnel guest when the Proxmox UI is published through it. */
export interface IpSetEntry {
  cidr: string;
  comment: string;
}

/**
 * The cluster-level IP set `management`: Proxmox opens the node's management ports (8006 web UI,
 * 22 SSH, VNC/SPICE) to these addresses when the node firewall is on; the cluster network is added
 * by Proxmox itself. Never empty: an empty set would leave only the local network able to manage the node.
 */
export function managementIpSet(adminCidrs: readonly string[], extra: readonly IpSetEntry[] = []): IpSet {
  const problems: string[] = [];
  const entries = new Map<string, { cidr: Cidr; comment: string }>();
  const add = (text: string, comment: string, where: string) => {
    const cidr = parseCidr(text);
    if (!cidr) problems.push(`${where}: ${text} is not an address or a network CIDR`);
    else if (!entries.has(cidr.text)) entries.set(cidr.text, { cidr, comment });
  };
  adminCidrs.forEach((text) => add(text, "admin network", "adminCidrs"));
  extra.forEach((e) => add(e.cidr, e.comment, "management extra"));
  if (entries.size === 0)
    problems.push("adminCidrs: empty; the management IP set needs at least one network");
  if (problems.length > 0) throw new Error(`invalid management IP set:\n  ${problems.join("\n  ")}`);
  const cidrs = [...entries.values()]
    .sort((a, b) => compareCidrs(a.cidr, b.cidr))
    .map((e) => ({ name: e.cidr.text, comment: e.comment }));
  return { name: "management", comment: "Rendered by proxmox-sites: may manage the nodes (8006, 22)", cidrs };
}
