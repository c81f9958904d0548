/**
 * Compiles one registered Proxmox firewall rule into nftables rule lines, following pve-firewall's
 * rule semantics: a disabled rule is skipped; a rule's IP version comes from its addresses and
 * protocol and it is generated only for that version; a macro expands into one rule per macro line
 * (the rule's own fields fill in, a conflicting field is an error); `+set` looks in the guest's IP
 * sets first, then the cluster's (`+dc/`, `+guest/` force one); an alias likewise; `a-b` is an
 * address range; ports are `22,80:90` lists of at most 15 slots; for icmp/icmpv6, `dport` names an
 * ICMP type. Every problem Proxmox's API would refuse is reported, all at once, by the caller.
 * Pure: no Pulumi import, no I/O.
 */
import {
  ICMP,
  ICMPV6,
  PROTOCOLS_WITH_PORTS,
  findMacro,
  icmpType,
  protocolNumber,
  type MacroEntry,
} from "./pve-tables";
import {
  IP_VERSIONS,
  NAME,
  addressMatch,
  fail,
  resolveAddress,
  type Address,
  type AddressScope,
  type IpVersion,
  type RuleEnv,
} from "./pve-address";
import type { RuleInputs } from "./firewall-view";

export { IP_VERSIONS, setName, type AddressScope, type IpVersion, type RuleEnv } from "./pve-address";

/** A rule ready for a chain. */
export interface CompiledRule {
  direction: "in" | "out";
  /** `net<N>` on a guest (selects the NIC's chain), an interface name on a node; undefined: all. */
  iface?: string;
  /** Set for a security group insertion: the body jumps to that group's chain. */
  group?: string;
  /** nftables rule bodies (matches and verdict), without the interface match. */
  lines: string[];
}

const HOST_IFACE = /^[a-zA-Z][a-zA-Z0-9_]{1,20}([:.]\d+)?$/;
const ACTIONS: Readonly<Record<string, string>> = {
  ACCEPT: "accept",
  DROP: "drop",
  REJECT: "jump pve_reject",
};

/** `22,80:90` → `{ 22, 80-90 }`; undefined (with a problem) when Proxmox would refuse it. */
function portSpec(problems: string[], where: string, field: string, text: string): string | undefined {
  const items = text.split(",");
  let slots = 0;
  const out: string[] = [];
  for (const item of items) {
    const m = /^(\d{1,5})(?::(\d{1,5}))?$/.exec(item);
    if (!m)
      return fail(
        problems,
        where,
        `${field} ${item} is not a port or from:to range (service names are not supported)`,
      );
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (from > 65535 || to > 65535 || from > to)
      return fail(problems, where, `${field} ${item} is not a port or ascending range within 0-65535`);
    slots += m[2] === undefined ? 1 : 2;
    out.push(m[2] === undefined ? `${from}` : `${from}-${to}`);
  }
  if (slots > 15)
    return fail(problems, where, `${field} ${text} has more than 15 ports (a range counts as two)`);
  return out.length === 1 ? out[0] : `{ ${out.join(", ")} }`;
}

interface Fields {
  source?: string;
  dest?: string;
  proto?: string;
  dport?: string;
  sport?: string;
}

function protoMatch(problems: string[], where: string, f: Fields): string | undefined {
  if (!f.proto) {
    if (f.dport || f.sport) return fail(problems, where, "dport/sport need proto");
    return "";
  }
  const proto = protocolNumber(f.proto);
  if (proto === undefined) return fail(problems, where, `unknown protocol ${f.proto}`);
  const parts: string[] = [];
  if (proto === ICMP || proto === ICMPV6) {
    if (f.sport) return fail(problems, where, `protocol ${f.proto} has no ports`);
    const family = proto === ICMP ? "icmp" : "icmpv6";
    const type = f.dport === undefined ? null : icmpType(proto, f.dport);
    if (type === undefined) return fail(problems, where, `unknown ${family} type ${f.dport}`);
    if (type === null) return `meta l4proto ${proto}`;
    parts.push(`${family} type ${type.type}`);
    if (type.code !== undefined) parts.push(`${family} code ${type.code}`);
    return parts.join(" ");
  }
  if ((f.dport || f.sport) && !PROTOCOLS_WITH_PORTS.has(proto))
    return fail(problems, where, `protocol ${f.proto} has no ports`);
  const l4 = proto === 6 ? "tcp" : proto === 17 ? "udp" : "th";
  if (l4 === "th" || (!f.dport && !f.sport)) parts.push(`meta l4proto ${proto}`);
  if (f.sport) {
    const spec = portSpec(problems, where, "sport", f.sport);
    if (spec === undefined) return undefined;
    parts.push(`${l4} sport ${spec}`);
  }
  if (f.dport) {
    const spec = portSpec(problems, where, "dport", f.dport);
    if (spec === undefined) return undefined;
    parts.push(`${l4} dport ${spec}`);
  }
  return parts.join(" ");
}

/** The IP version a rule is restricted to by its own fields (Proxmox's verify_rule), or undefined. */
function ruleIpVersion(
  problems: string[],
  where: string,
  f: Fields,
  addresses: (Address | undefined)[],
): IpVersion | undefined | "mixed" {
  const versions = new Set<IpVersion>();
  for (const a of addresses) if (a?.kind === "list") versions.add(a.version);
  if (f.proto === "icmp") versions.add(4);
  if (f.proto === "icmpv6" || f.proto === "ipv6-icmp") versions.add(6);
  if (versions.size > 1) {
    fail(problems, where, "mixes IPv4 and IPv6 (addresses or protocol)");
    return "mixed";
  }
  return [...versions][0];
}

/** Macro expansion as Proxmox's apply_macro: macro fields win, the rule's own fields fill in. */
function expandMacro(problems: string[], where: string, rule: Fields, entries: readonly MacroEntry[]) {
  const out: Fields[] = [];
  for (const entry of entries) {
    const merged: Fields = { source: rule.source, dest: rule.dest, ...entry };
    for (const key of ["proto", "dport", "sport"] as const) {
      const own = rule[key];
      if (own === undefined || own === "") continue;
      if (merged[key] !== undefined && merged[key] !== own)
        return fail(problems, where, `${key} ${own} conflicts with macro value ${merged[key]}`);
      merged[key] = own;
    }
    out.push(merged);
  }
  return out;
}

const blankToUndefined = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);

/**
 * Compiles one rule for a chain of `env`. Returns nothing for a disabled rule and for `forward`
 * rules on a node or in a group (pve-firewall's iptables backend generates none).
 */
export function compileRule(
  problems: string[],
  where: string,
  rule: RuleInputs,
  env: RuleEnv,
  scope: AddressScope,
): CompiledRule[] {
  if (rule.enabled === false) return [];
  const before = problems.length;
  const iface = blankToUndefined(rule.iface);
  if (iface !== undefined) {
    if (env === "group") fail(problems, where, "a security group rule cannot name an interface");
    else if (env === "guest" && !/^net\d+$/.test(iface))
      fail(problems, where, `iface ${iface} is not net<N>`);
    else if (env === "host" && !HOST_IFACE.test(iface))
      fail(problems, where, `iface ${iface} is not an interface name`);
  }
  const group = blankToUndefined(rule.securityGroup) ?? (rule.type === "group" ? rule.action : undefined);
  if (group !== undefined) {
    if (env === "group") fail(problems, where, "security groups cannot be nested");
    if (!NAME.test(group)) fail(problems, where, `invalid security group name ${group}`);
    if (problems.length > before) return [];
    return (["in", "out"] as const).map((direction) => ({
      direction,
      iface,
      group,
      lines: [`jump group_${group}_${direction}`],
    }));
  }
  const type = rule.type?.toLowerCase();
  if (type === "forward") {
    if (env === "guest") fail(problems, where, "forward rules are not allowed on a guest");
    return [];
  }
  if (type !== "in" && type !== "out")
    return fail(problems, where, `type ${rule.type} is not in or out`) ?? [];
  const verdict = ACTIONS[rule.action ?? ""];
  if (!verdict) fail(problems, where, `action ${rule.action} is not ACCEPT, DROP or REJECT`);
  const own: Fields = {
    source: blankToUndefined(rule.source),
    dest: blankToUndefined(rule.dest),
    proto: blankToUndefined(rule.proto),
    dport: blankToUndefined(rule.dport),
    sport: blankToUndefined(rule.sport),
  };
  const macroName = blankToUndefined(rule.macro);
  const macro = macroName === undefined ? undefined : findMacro(macroName);
  if (macroName !== undefined && !macro)
    fail(problems, where, `macro ${macroName} is not one the translator implements (see pve-tables.ts)`);
  const source = own.source ? resolveAddress(problems, `${where} source`, own.source, scope, env) : undefined;
  const dest = own.dest ? resolveAddress(problems, `${where} dest`, own.dest, scope, env) : undefined;
  const version = ruleIpVersion(problems, where, own, [source, dest]);
  if (problems.length > before || version === "mixed") return [];

  const lines: string[] = [];
  for (const v of IP_VERSIONS) {
    if (version !== undefined && version !== v) continue;
    if (macro?.onlyIpVersion !== undefined && macro.onlyIpVersion !== v) continue;
    const variants = macro
      ? expandMacro(problems, where, own, (v === 6 && macro.ipv6Entries) || macro.entries)
      : [own];
    for (const f of variants ?? []) {
      const proto = protoMatch(problems, where, f);
      if (proto === undefined) continue;
      const parts = [
        source ? addressMatch(source, "saddr", v) : "",
        dest ? addressMatch(dest, "daddr", v) : "",
        proto,
        verdict!,
      ].filter((p) => p !== "");
      lines.push(`meta nfproto ipv${v} ${parts.join(" ")}`);
    }
  }
  if (problems.length > before) return [];
  return [{ direction: type, iface, lines: collapseVersions(lines) }];
}

/** A rule body generated identically for both IP versions is written once, without the version. */
export function collapseVersions(lines: readonly string[]): string[] {
  const out: string[] = [];
  const v6 = new Set(lines.filter((l) => l.startsWith("meta nfproto ipv6 ")).map((l) => l.slice(18)));
  const v4 = new Set(lines.filter((l) => l.startsWith("meta nfproto ipv4 ")).map((l) => l.slice(18)));
  for (const line of lines) {
    const body = line.slice(18);
    const both = v4.has(body) && v6.has(body);
    if (!both) out.push(line);
    else if (line.startsWith("meta nfproto ipv4 ")) out.push(body);
  }
  return out;
}
