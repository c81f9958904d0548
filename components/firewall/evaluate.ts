/**
 * What Proxmox's firewall decides for a new connection, computed from the REGISTERED firewall
 * (`registered.ts`), following pve-firewall's documented behaviour (pve-docs `pve-firewall`, and
 * `PVE::Firewall` for the host chain's order):
 * - nothing is filtered unless the cluster firewall is enabled (`cluster.fw` `enable`, default off);
 * - a guest is filtered only when its options say `enable: 1` (default off) AND the NIC the packet
 *   crosses has `firewall=1`; otherwise that side lets everything through;
 * - rules are read top-down and the first match decides (ACCEPT, or DROP/REJECT); a security-group
 *   reference is replaced by the group's rules of that direction; macros (SSH, HTTP…) stand for
 *   their protocol/port entries; `+name` is an IP set; the standard `blacklist` set drops first;
 * - no match: the guest's policy (`inputPolicy` default DROP, `outputPolicy` default ACCEPT);
 * - a node (host firewall, on whenever the cluster's is): the node's rules, then the cluster's
 *   rules, then the `management` IP set plus `local_network` to 8006, 5900-5999, 3128, 22 and
 *   60000-60050/tcp, then the cluster's policies (default in DROP, out ACCEPT).
 * A connection is allowed when the source's outbound side and the destination's inbound side both
 * accept it. Rule order is list order (`pos` is ignored: the provider writes rules in list order).
 * Not modelled: conntrack (only new connections are asked about), IP/MAC filters, NDP/DHCP, the
 * forward chain of SDN, `iface` on node rules (refused). Pure.
 */
import { addressSpecMatches, inIpsetIfAny, type AddressBook, type Ip } from "./address-spec";
import { parseIp } from "./cidr";
import {
  hasPorts,
  icmpType,
  macroEntries,
  portListContains,
  protocolNumber,
  type MacroEntry,
} from "./pve-terms";
import { guestViews, unfilteredBecause, type EvaluatedNic, type EvaluatedGuest } from "./guest-views";
import type { RegisteredFirewall, RuleInputs, RulesInputs } from "./registered";

export type { EvaluatedNic, EvaluatedGuest } from "./guest-views";

/** A guest by VMID, a node by name, or any address (a guest's or node's address resolves to it). */
export type Endpoint = { guest: number } | { node: string } | { ip: string };

export interface Packet {
  from: Endpoint;
  to: Endpoint;
  /** Protocol name or number (`tcp`, `udp`, `icmp`, `vrrp`, `112`). */
  proto: string;
  /** Destination port (tcp/udp). */
  dport?: number;
  /** Source port; only needed when a rule restricts it. */
  sport?: number;
  /** ICMP type for icmp; default `echo-request`. */
  icmpType?: string;
}

export interface Verdict {
  allowed: boolean;
  /** What decided, e.g. `moodle-lb2 (201) in: rule 4 ACCEPT "keepalived VRRP adverts"`. */
  reason: string;
}

export class FirewallEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FirewallEvaluationError";
  }
}

type Side =
  | { kind: "guest"; guest: EvaluatedGuest; nic: EvaluatedNic; ip?: Ip }
  | { kind: "node"; node: string; ip: Ip }
  | { kind: "outside"; ip: Ip };

const MANAGEMENT_PORTS = "8006,5900:5999,3128,22,60000:60050";
const LOCAL_NETWORK_OUT_PORTS = "8006,22,5900:5999,3128";

function ipOf(text: string, what: string): Ip {
  const ip = parseIp(text);
  if (!ip) throw new FirewallEvaluationError(`${what}: ${text} is not an address`);
  return ip;
}

function label(side: Side): string {
  if (side.kind === "guest") return `${side.guest.name} (${side.guest.vmid})`;
  return side.kind === "node" ? `node ${side.node}` : String(side.ip);
}

/** Answers questions over one registered firewall. */
export class FirewallEvaluator {
  readonly guests: EvaluatedGuest[];
  private readonly book: AddressBook;

  constructor(private readonly fw: RegisteredFirewall) {
    this.guests = guestViews(fw);
    this.book = { ipsets: fw.ipsets, aliases: fw.aliases, localNetwork: fw.localNetwork };
  }

  guest(vmid: number): EvaluatedGuest {
    const g = this.guests.find((x) => x.vmid === vmid);
    if (!g) throw new FirewallEvaluationError(`no registered guest ${vmid}`);
    return g;
  }

  private side(e: Endpoint): Side {
    if ("guest" in e) {
      const guest = this.guest(e.guest);
      const nic = guest.nics.find((n) => n.addresses.length > 0) ?? guest.nics[0];
      if (!nic) throw new FirewallEvaluationError(`guest ${e.guest} has no NIC`);
      return {
        kind: "guest",
        guest,
        nic,
        ip: nic.addresses[0] ? ipOf(nic.addresses[0], label({ kind: "guest", guest, nic })) : undefined,
      };
    }
    if ("node" in e) {
      const host = this.fw.hosts.find((h) => h.name === e.node);
      if (!host) throw new FirewallEvaluationError(`no registered node ${e.node}`);
      return { kind: "node", node: host.name, ip: ipOf(host.address, `node ${host.name}`) };
    }
    const ip = ipOf(e.ip, "packet address");
    for (const guest of this.guests)
      for (const nic of guest.nics)
        if (nic.addresses.includes(ip.toString())) return { kind: "guest", guest, nic, ip };
    const host = this.fw.hosts.find((h) => h.address === ip.toString());
    return host ? { kind: "node", node: host.name, ip } : { kind: "outside", ip };
  }

  /** The verdict for a new connection, with the rule or policy that decided it. */
  decide(packet: Packet): Verdict {
    const from = this.side(packet.from);
    const to = this.side(packet.to);
    if (from.kind === "guest" && to.kind === "guest" && from.guest.vmid === to.guest.vmid)
      return { allowed: true, reason: "inside one guest" };
    const out = this.leave(from, to, packet);
    if (!out.allowed) return out;
    return this.enter(from, to, packet);
  }

  /** Shorthand: may `from` open `proto`/`port` on `to`? */
  allows(from: Endpoint, to: Endpoint, proto: string, dport?: number): boolean {
    return this.decide({ from, to, proto, dport }).allowed;
  }

  private enter(from: Side, to: Side, p: Packet): Verdict {
    if (to.kind === "outside") return { allowed: true, reason: "destination outside the site's firewall" };
    if (!this.fw.cluster?.enabled) return { allowed: true, reason: "the cluster firewall is off" };
    const src = from.ip;
    if (!src) throw new FirewallEvaluationError(`${label(from)} has no registered address to send from`);
    if (inIpsetIfAny(this.book, "blacklist", src, undefined))
      return { allowed: false, reason: `${label(to)}: source in the blacklist IP set` };
    if (to.kind === "guest") {
      const off = unfilteredBecause(this.fw, to.guest, to.nic);
      if (off) return { allowed: true, reason: `${label(to)} not filtered: ${off}` };
      const hit = this.walk(to.guest.rules, "in", p, src, to.ip, to.guest.vmid, to.nic.iface);
      if (hit) return { allowed: hit.accept, reason: `${label(to)} in: ${hit.what}` };
      const policy = (to.guest.options?.inputPolicy ?? "DROP").toUpperCase();
      return { allowed: policy === "ACCEPT", reason: `${label(to)} in: policy ${policy}` };
    }
    const hit = this.walk(this.nodeRules(to.node), "in", p, src, to.ip, undefined, undefined);
    if (hit) return { allowed: hit.accept, reason: `${label(to)} in: ${hit.what}` };
    const management = inIpsetIfAny(this.book, "management", src, undefined) || this.inLocalNetwork(src);
    if (
      management &&
      p.proto === "tcp" &&
      p.dport !== undefined &&
      portListContains(MANAGEMENT_PORTS, p.dport)
    )
      return { allowed: true, reason: `${label(to)} in: management (IP set management or local_network)` };
    const policy = (this.fw.cluster.inputPolicy ?? "DROP").toUpperCase();
    return { allowed: policy === "ACCEPT", reason: `${label(to)} in: cluster policy ${policy}` };
  }

  private leave(from: Side, to: Side, p: Packet): Verdict {
    if (from.kind === "outside" || !this.fw.cluster?.enabled)
      return { allowed: true, reason: "source side not filtered" };
    const dst = to.ip;
    if (from.kind === "guest") {
      if (unfilteredBecause(this.fw, from.guest, from.nic))
        return { allowed: true, reason: "source side not filtered" };
      const hit = this.walk(from.guest.rules, "out", p, from.ip, dst, from.guest.vmid, from.nic.iface);
      if (hit) return { allowed: hit.accept, reason: `${label(from)} out: ${hit.what}` };
      const policy = (from.guest.options?.outputPolicy ?? "ACCEPT").toUpperCase();
      return { allowed: policy === "ACCEPT", reason: `${label(from)} out: policy ${policy}` };
    }
    const hit = this.walk(this.nodeRules(from.node), "out", p, from.ip, dst, undefined, undefined);
    if (hit) return { allowed: hit.accept, reason: `${label(from)} out: ${hit.what}` };
    if (
      dst &&
      this.inLocalNetwork(dst) &&
      p.proto === "tcp" &&
      p.dport !== undefined &&
      portListContains(LOCAL_NETWORK_OUT_PORTS, p.dport)
    )
      return { allowed: true, reason: `${label(from)} out: local_network management` };
    const policy = (this.fw.cluster.outputPolicy ?? "ACCEPT").toUpperCase();
    return { allowed: policy === "ACCEPT", reason: `${label(from)} out: cluster policy ${policy}` };
  }

  private inLocalNetwork(ip: Ip): boolean {
    if (!this.fw.localNetwork && !this.fw.aliases.some((a) => a.name?.toLowerCase() === "local_network"))
      return false;
    return addressSpecMatches(this.book, "local_network", ip, undefined);
  }

  /** host.fw rules first, then cluster.fw rules (Proxmox's order: a node can override the cluster). */
  private nodeRules(node: string): RuleInputs[] {
    const level = (r: RulesInputs) => r.vmId === undefined && r.containerId === undefined;
    return [
      ...this.fw.rules.filter((r) => level(r) && r.nodeName === node).flatMap((r) => r.rules ?? []),
      ...this.fw.rules.filter((r) => level(r) && r.nodeName === undefined).flatMap((r) => r.rules ?? []),
    ];
  }

  private walk(
    rules: readonly RuleInputs[],
    direction: "in" | "out",
    p: Packet,
    src: Ip | undefined,
    dst: Ip | undefined,
    owner: number | undefined,
    iface: string | undefined,
  ): { accept: boolean; what: string } | undefined {
    for (const [i, rule] of rules.entries()) {
      if (rule.enabled === false) continue;
      if (rule.iface !== undefined) {
        if (iface === undefined)
          throw new FirewallEvaluationError(`iface on node rules is not modelled (${rule.iface})`);
        if (rule.iface !== iface) continue;
      }
      if (rule.securityGroup) {
        const group = this.fw.securityGroups.find(
          (g) => g.name?.toLowerCase() === rule.securityGroup!.toLowerCase(),
        );
        if (!group) throw new FirewallEvaluationError(`no security group ${rule.securityGroup}`);
        const hit = this.walk(group.rules ?? [], direction, p, src, dst, undefined, iface);
        if (hit) return { accept: hit.accept, what: `group ${group.name}: ${hit.what}` };
        continue;
      }
      if ((rule.type ?? "").toLowerCase() !== direction) continue;
      if (!this.matches(rule, p, src, dst, owner)) continue;
      const action = (rule.action ?? "").toUpperCase();
      if (!["ACCEPT", "DROP", "REJECT"].includes(action))
        throw new FirewallEvaluationError(
          `rule ${i + 1}: action ${rule.action} is not ACCEPT, DROP or REJECT`,
        );
      return {
        accept: action === "ACCEPT",
        what: `rule ${i + 1} ${action}${rule.comment ? ` "${rule.comment}"` : ""}`,
      };
    }
    return undefined;
  }

  private matches(
    rule: RuleInputs,
    p: Packet,
    src: Ip | undefined,
    dst: Ip | undefined,
    owner: number | undefined,
  ): boolean {
    if (rule.source !== undefined) {
      if (!src) throw new FirewallEvaluationError(`a rule matches on source but the sender has no address`);
      if (!addressSpecMatches(this.book, rule.source, src, owner)) return false;
    }
    if (rule.dest !== undefined) {
      if (!dst)
        throw new FirewallEvaluationError(
          `a rule matches on dest but the receiver has no registered address`,
        );
      if (!addressSpecMatches(this.book, rule.dest, dst, owner)) return false;
    }
    const entries: readonly MacroEntry[] = rule.macro
      ? macroEntries(rule.macro)
      : [{ proto: rule.proto ?? "", dport: rule.dport }];
    // A macro's own source port (DHCPfwd) applies as pve-firewall expands it; else the rule's.
    return entries.some((e) => serviceMatches(e, e.sport ?? rule.sport, p));
  }
}

function serviceMatches(e: MacroEntry, sport: string | undefined, p: Packet): boolean {
  if (e.proto === "") {
    if (e.dport !== undefined || sport !== undefined)
      throw new FirewallEvaluationError("a rule with ports but no protocol (Proxmox refuses it)");
    return true;
  }
  if (protocolNumber(e.proto) !== protocolNumber(p.proto)) return false;
  if (hasPorts(e.proto)) {
    if (e.dport !== undefined) {
      if (p.dport === undefined)
        throw new FirewallEvaluationError(`${p.proto} packet without a destination port`);
      if (!portListContains(e.dport, p.dport)) return false;
    }
    if (sport !== undefined) {
      if (p.sport === undefined)
        throw new FirewallEvaluationError("a rule restricts the source port: give the packet's");
      if (!portListContains(sport, p.sport)) return false;
    }
    return true;
  }
  if (e.dport === undefined) return true;
  if (protocolNumber(e.proto) !== 1) throw new FirewallEvaluationError(`dport on protocol ${e.proto}`);
  // ICMP types compared by number (the rule may name `echo-request` or `8`); a type without a
  // code matches every code of that type, as iptables' --icmp-type does.
  const wanted = icmpType(e.dport);
  if (wanted === null) return true;
  const sent = icmpType(p.icmpType ?? "echo-request");
  if (sent === null) throw new FirewallEvaluationError("a packet has one ICMP type, not any");
  return sent.type === wanted.type && (wanted.code === undefined || sent.code === wanted.code);
}
