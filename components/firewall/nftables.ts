/**
 * Translates the registered Proxmox firewall of a stack (registered.ts) into nftables rulesets that
 * enforce the same decisions: one per guest, loaded into that guest's own network namespace and
 * filtering its NICs as Proxmox does at the guest's tap/veth, and one per node, for the node's
 * namespace. Pure: data in, `nft -f` text out. Semantics follow pve-firewall's iptables backend
 * (pve-docs "Proxmox VE Firewall"); docs/box.md ("Firewall") lists what is and is not modelled.
 *
 * - Cluster firewall off (or never registered): every ruleset only removes the table: nothing filtered.
 * - Guest: filtered only when its options say `enabled` and only on NICs whose `firewall` flag is on.
 *   Per NIC and direction: conntrack INVALID dropped, ESTABLISHED/RELATED accepted; inbound the
 *   cluster `blacklist` set and the smurf filter; DHCP and NDP when the options allow them; on the
 *   way out router advertisements unless `radv`, and the `ipfilter` source check; then the rules
 *   top-down, first match wins (`in` rules inbound, `out` rules outbound, `GROUP` rules jump to the
 *   security group's chain, `iface net<N>` selects the NIC); then the policy (`inputPolicy` default
 *   DROP, `outputPolicy` default ACCEPT), with PVEFW-Drop/-Reject's extra accepts and rejects.
 *   Provider defaults fill unset options (dhcp/ndp off, radv and macfilter on), as the provider sends.
 * - Node (host firewall, on by default): loopback accepted, conntrack as above, NDP, IGMP, node
 *   rules then cluster rules, the `management` set (plus Proxmox's own `local_network`) reaching
 *   8006, 22, 3128, 5900-5999 and 60000-60050, then the cluster's input policy; outbound likewise
 *   with the cluster's output policy and the management ports of `local_network` accepted.
 */
import { parseCidr, cidrWithin, type Cidr } from "./cidr";
import {
  compileRule,
  setName,
  IP_VERSIONS,
  type AddressScope,
  type CompiledRule,
  type IpVersion,
} from "./pve-compile";
import { POLICIES, chain, policyLines, standardChains, type Policy } from "./nft-std-chains";
import type {
  AliasInputs,
  FirewallView,
  GuestView,
  IpsetInputs,
  HostView,
  RuleInputs,
} from "./firewall-view";

/** The table every ruleset owns in its namespace; nothing else there is touched. */
export const NFT_TABLE = "pve_firewall";

export interface FirewallRulesets {
  stack: string;
  /** `nft -f` text per guest key, for the guest's own network namespace. */
  guests: Map<string, string>;
  /** `nft -f` text per node name, for the node's network namespace. */
  nodes: Map<string, string>;
}

/** Thrown with every problem of a stack's firewall at once. */
export class FirewallTranslationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the registered firewall cannot be translated:\n  ${problems.join("\n  ")}`);
    this.name = "FirewallTranslationError";
  }
}

const MANAGEMENT_PORTS = "{ 22, 3128, 5900-5999, 8006, 60000-60050 }";
const LOCALNET_PORTS = "{ 22, 3128, 5900-5999, 8006 }";
const NDP_TYPES = { in: "{ 133, 134, 135, 136 }", outNoRadv: "{ 133, 135, 136 }" };

/** Removes the table (so a re-apply replaces it atomically); a filtering ruleset adds it back. */
function reset(family: "inet" | "arp"): string[] {
  return [`table ${family} ${NFT_TABLE}`, `delete table ${family} ${NFT_TABLE}`];
}

function policyOf(problems: string[], where: string, value: string | undefined, fallback: Policy): Policy {
  const policy = (value ?? fallback).toUpperCase() as Policy;
  if (!POLICIES.includes(policy)) problems.push(`${where}: ${value} is not ACCEPT, DROP or REJECT`);
  return policy;
}

const oneLine = (text: string) => text.replace(/[\r\n]+/g, " ");

/** An IP set as two nft sets per IP version: its entries and its `nomatch` exceptions. */
function renderIpSet(
  problems: string[],
  where: string,
  level: "dc" | "guest",
  set: IpsetInputs,
  aliases: (name: string) => string | undefined,
): string[] {
  const include: Cidr[] = [];
  const exclude: Cidr[] = [];
  (set.cidrs ?? []).forEach((entry, i) => {
    const text = /^[A-Za-z]/.test(entry.name) && !entry.name.includes(":") ? aliases(entry.name) : entry.name;
    const cidr = text === undefined ? undefined : parseCidr(text);
    if (!cidr) problems.push(`${where}.cidrs[${i}]: ${entry.name} is not an address, network or alias`);
    else (entry.nomatch ? exclude : include).push(cidr);
  });
  for (const inner of include)
    if (exclude.some((outer) => cidrWithin(inner, outer)))
      problems.push(`${where}: ${inner.text} lies inside a nomatch entry; that nesting is not modelled`);
  const out: string[] = [];
  for (const v of IP_VERSIONS) {
    const family = v === 4 ? "ipv4" : "ipv6";
    const sets: [string, Cidr[]][] = [[setName(level, set.name ?? "", v), include]];
    if (exclude.length > 0) sets.push([setName(level, set.name ?? "", v, true), exclude]);
    for (const [name, cidrs] of sets) {
      const elements = cidrs.filter((c) => c.family === family).map((c) => c.text);
      const body = elements.length > 0 ? ` elements = { ${elements.join(", ")} };` : "";
      out.push(`  set ${name} { type ${family}_addr; flags interval; auto-merge;${body} }`);
    }
  }
  return out;
}

interface Context {
  problems: string[];
  fw: FirewallView;
  /** The cluster's IP sets as the node compiles them: `management` includes local_network. */
  clusterIpsets: IpsetInputs[];
  clusterAliases: readonly AliasInputs[];
  /** Compiled security groups by name. */
  groups: Map<string, CompiledRule[]>;
}

function localNetworkOf(fw: FirewallView, node: HostView | undefined): string {
  const alias = fw.aliases.find((a) => (a.name ?? "").toLowerCase() === "local_network");
  // pve-firewall's own fallback when it cannot find the node's network is 127.0.0.0/8.
  return alias?.cidr ?? node?.localNetwork ?? (node?.address ? node.address : "127.0.0.0/8");
}

function contextFor(problems: string[], fw: FirewallView, node: HostView | undefined): Context {
  const localnet = localNetworkOf(fw, node);
  const management = fw.ipsets.find((s) => s.name === "management");
  const clusterIpsets = [
    ...fw.ipsets.filter((s) => s.name !== "management"),
    {
      ...(management ?? { name: "management" }),
      cidrs: [...(management?.cidrs ?? []), { name: localnet }],
    },
  ];
  const scope: AddressScope = { cluster: { ipsets: clusterIpsets, aliases: fw.aliases } };
  const groups = new Map<string, CompiledRule[]>();
  for (const group of fw.securityGroups) {
    const name = group.name ?? "";
    const where = `security group ${name}`;
    if (groups.has(name)) problems.push(`${where}: defined twice`);
    groups.set(
      name,
      (group.rules ?? []).flatMap((r, i) => compileRule(problems, `${where} rules[${i}]`, r, "group", scope)),
    );
  }
  return { problems, fw, clusterIpsets, clusterAliases: fw.aliases, groups };
}

function aliasLookup(...lists: (readonly AliasInputs[])[]) {
  return (name: string) => {
    const lower = name.replace(/^(dc|guest)\//, "").toLowerCase();
    for (const list of lists) {
      const hit = list.find((a) => (a.name ?? "").toLowerCase() === lower);
      if (hit) return hit.cidr;
    }
    return undefined;
  };
}

function clusterSets(ctx: Context): string[] {
  return ctx.clusterIpsets.flatMap((s) =>
    renderIpSet(ctx.problems, `cluster ipset ${s.name}`, "dc", s, aliasLookup(ctx.clusterAliases)),
  );
}

/** Chains of the security groups that `rules` insert, each direction once. */
function groupChains(ctx: Context, where: string, rules: readonly CompiledRule[]): string[] {
  const names = [...new Set(rules.flatMap((r) => (r.group ? [r.group] : [])))].sort();
  return names.flatMap((name) => {
    const group = ctx.groups.get(name);
    if (!group) {
      ctx.problems.push(`${where}: no security group ${name}`);
      return [];
    }
    return (["in", "out"] as const).map((d) =>
      chain(
        `group_${name}_${d}`,
        group.filter((r) => r.direction === d).flatMap((r) => r.lines),
      ),
    );
  });
}

function ruleLines(
  rules: readonly CompiledRule[],
  direction: "in" | "out",
  ifaceMatch: (r: CompiledRule) => string,
) {
  return rules
    .filter((r) => r.direction === direction)
    .flatMap((r) => r.lines.map((l) => (l.startsWith("#") ? l : `${ifaceMatch(r)}${l}`)));
}

function compileAll(
  ctx: Context,
  where: string,
  rules: readonly RuleInputs[],
  env: "guest" | "host",
  scope: AddressScope,
) {
  return rules.flatMap((r, i) => {
    const compiled = compileRule(ctx.problems, `${where} rules[${i}]`, r, env, scope);
    const note = r.comment ? [`# ${oneLine(r.comment)}`] : [];
    return compiled.map((c) => ({ ...c, lines: [...note, ...c.lines] }));
  });
}

function blacklist(ctx: Context): string[] {
  if (!ctx.clusterIpsets.some((s) => s.name === "blacklist")) return [];
  return IP_VERSIONS.map(
    (v: IpVersion) => `${v === 4 ? "ip" : "ip6"} saddr @${setName("dc", "blacklist", v)} drop`,
  );
}

function header(fw: FirewallView, what: string): string[] {
  return [`# Proxmox firewall of ${what}, stack ${fw.stack}: translated from the registered resources`];
}

function guestRuleset(ctx: Context, guest: GuestView, node: HostView | undefined): string {
  const { problems, fw } = ctx;
  const where = `guest ${guest.key} (vmid ${guest.vmid})`;
  const out = [...header(fw, `guest ${guest.key} (vmid ${guest.vmid})`), ...reset("inet"), ...reset("arp")];
  if (!(fw.cluster?.enabled ?? false))
    return [...out, "# cluster firewall off: nothing filtered", ""].join("\n");
  const o = guest.options;
  const enabled = o?.enabled ?? false;
  const inputPolicy = policyOf(problems, `${where} options.inputPolicy`, o?.inputPolicy, "DROP");
  const outputPolicy = policyOf(problems, `${where} options.outputPolicy`, o?.outputPolicy, "ACCEPT");
  const [dhcp, ndp, radv, ipfilter] = [
    o?.dhcp ?? false,
    o?.ndp ?? false,
    o?.radv ?? true,
    o?.ipfilter ?? false,
  ];
  const scope: AddressScope = {
    guest: { ipsets: guest.ipsets, aliases: guest.aliases },
    cluster: { ipsets: ctx.clusterIpsets, aliases: ctx.clusterAliases },
  };
  const rules = compileAll(ctx, where, guest.rules, "guest", scope);
  const aliases = aliasLookup(guest.aliases, ctx.clusterAliases);
  const sets = [
    ...clusterSets(ctx),
    ...guest.ipsets.flatMap((s) => renderIpSet(problems, `${where} ipset ${s.name}`, "guest", s, aliases)),
  ];
  const chains: string[] = [];
  const base = {
    input: [] as string[],
    output: [] as string[],
    fwdIn: [] as string[],
    fwdOut: [] as string[],
  };
  const arp: string[] = [];
  const smurfs = node?.options?.nosmurfs ?? true;
  for (const nic of guest.nics) {
    const dev = JSON.stringify(nic.device);
    if (!enabled || !nic.firewall) {
      // pve-firewall's FORWARD chain drops conntrack INVALID on every bridged port.
      base.input.push(`iifname ${dev} ct state invalid drop`);
      base.output.push(`oifname ${dev} ct state invalid drop`);
      continue;
    }
    const mine = rules.filter((r) => r.iface === undefined || r.iface === nic.iface);
    const ipsetName = `ipfilter-${nic.iface}`;
    const filterSet = guest.ipsets.find((s) => s.name === ipsetName);
    // A container's configured addresses belong to its ipfilter set; a VM's are not known to Proxmox.
    const ownIps = guest.kind === "ct" ? nic.addresses : [];
    const conntrack = ["ct state invalid drop", "ct state established,related accept"];
    const inbound = [
      ...conntrack,
      ...blacklist(ctx),
      ...(smurfs ? ["meta nfproto ipv4 ct state new,invalid jump pve_smurfs"] : []),
      ...(dhcp
        ? [
            "meta nfproto ipv4 udp sport 67 udp dport 68 accept",
            "meta nfproto ipv6 udp sport 547 udp dport 546 accept",
          ]
        : []),
      ...(ndp ? [`icmpv6 type ${NDP_TYPES.in} accept`] : []),
      ...ruleLines(mine, "in", () => ""),
      ...policyLines(inputPolicy),
    ];
    const outbound = [
      ...conntrack,
      ...(dhcp
        ? [
            "meta nfproto ipv4 udp sport 68 udp dport 67 accept",
            "meta nfproto ipv6 udp sport 546 udp dport 547 accept",
          ]
        : []),
      ...(radv ? [] : ["icmpv6 type 134 drop"]),
      ...(ipfilter || filterSet
        ? ipfilterLines(sets, nic.iface, filterSet, ownIps, aliases, problems, where)
        : []),
      ...(ndp ? [`icmpv6 type ${radv ? NDP_TYPES.in : NDP_TYPES.outNoRadv} accept`] : []),
      ...ruleLines(mine, "out", () => ""),
      ...policyLines(outputPolicy),
    ];
    chains.push(...groupChains(ctx, where, mine));
    chains.push(chain(`${nic.iface}_in`, inbound), chain(`${nic.iface}_out`, outbound));
    base.input.push(`iifname ${dev} jump ${nic.iface}_in`);
    base.fwdIn.push(`iifname ${dev} jump ${nic.iface}_in`);
    base.output.push(`oifname ${dev} jump ${nic.iface}_out`);
    base.fwdOut.push(`oifname ${dev} jump ${nic.iface}_out`);
    const arpSources = [
      ...(filterSet?.cidrs ?? []).map((e) => aliases(e.name) ?? e.name),
      ...(ipfilter ? ownIps : []),
    ]
      .map((t) => parseCidr(t))
      .filter((c): c is Cidr => c?.family === "ipv4");
    if ((fw.cluster?.ebtables ?? false) && arpSources.length > 0)
      arp.push(`oifname ${dev} arp saddr ip != { ${arpSources.map((c) => c.text).join(", ")} } drop`);
  }
  const table = [
    `table inet ${NFT_TABLE} {`,
    ...dedupe(sets),
    ...standardChains(),
    ...dedupe(chains),
    chain("input", base.input, "type filter hook input priority filter; policy accept;"),
    chain("output", base.output, "type filter hook output priority filter; policy accept;"),
    // Two forward hooks: accepting inbound on one NIC must not skip the outbound check of the other.
    chain("forward_in", base.fwdIn, "type filter hook forward priority filter; policy accept;"),
    chain("forward_out", base.fwdOut, "type filter hook forward priority filter + 1; policy accept;"),
    "}",
  ];
  const arpTable =
    arp.length > 0
      ? [
          `table arp ${NFT_TABLE} {`,
          chain("output", arp, "type filter hook output priority filter; policy accept;"),
          "}",
        ]
      : [];
  return [...out, ...table, ...arpTable, ""].join("\n");
}

/** The `ipfilter` source check: only the NIC's own addresses may leave it (ipfilter-net<N>). */
function ipfilterLines(
  sets: string[],
  netId: string,
  filterSet: IpsetInputs | undefined,
  ownIps: string[],
  aliases: (name: string) => string | undefined,
  problems: string[],
  where: string,
): string[] {
  // Proxmox adds the NIC's MAC-derived link-local address; the MAC is not registered, so any fe80::/10.
  const entries = [...(filterSet?.cidrs ?? []), ...ownIps.map((name) => ({ name })), { name: "fe80::/10" }];
  const set: IpsetInputs = { name: `ipfilter_${netId}`, cidrs: entries };
  sets.push(...renderIpSet(problems, `${where} ipfilter ${netId}`, "guest", set, aliases));
  return IP_VERSIONS.map(
    (v) =>
      `meta nfproto ipv${v} ${v === 4 ? "ip" : "ip6"} saddr != @${setName("guest", `ipfilter_${netId}`, v)} drop`,
  );
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}

function nodeRuleset(ctx: Context, node: HostView): string {
  const { problems, fw } = ctx;
  const where = `node ${node.name}`;
  const out = [...header(fw, `node ${node.name}`), ...reset("inet"), ...reset("arp")];
  if (!(fw.cluster?.enabled ?? false))
    return [...out, "# cluster firewall off: nothing filtered", ""].join("\n");
  const o = node.options;
  if (o?.nftables)
    problems.push(`${where}: options.nftables selects proxmox-firewall, which is not modelled`);
  if (!(o?.enabled ?? true)) return [...out, "# host firewall off: nothing filtered", ""].join("\n");
  const inputPolicy = policyOf(problems, "cluster inputPolicy", fw.cluster?.inputPolicy, "DROP");
  const outputPolicy = policyOf(problems, "cluster outputPolicy", fw.cluster?.outputPolicy, "ACCEPT");
  const scope: AddressScope = { cluster: { ipsets: ctx.clusterIpsets, aliases: ctx.clusterAliases } };
  const rules = [
    ...compileAll(ctx, where, node.rules, "host", scope),
    ...compileAll(ctx, "cluster", fw.clusterRules, "host", scope),
  ];
  const iface = (d: "in" | "out") => (r: CompiledRule) =>
    r.iface ? `${d === "in" ? "iifname" : "oifname"} ${JSON.stringify(r.iface)} ` : "";
  const ndp = o?.ndp ?? true;
  const localnet = parseCidr(localNetworkOf(fw, node));
  if (!localnet) problems.push(`${where}: local network ${localNetworkOf(fw, node)} is not a network`);
  const ip = localnet?.family === "ipv6" ? "ip6" : "ip";
  const conntrack = ["ct state invalid drop", "ct state established,related accept"];
  const inbound = [
    ...conntrack,
    ...(ndp ? [`icmpv6 type ${NDP_TYPES.in} accept`] : []),
    ...blacklist(ctx),
    ...((o?.nosmurfs ?? true) ? ["meta nfproto ipv4 ct state new,invalid jump pve_smurfs"] : []),
    "meta l4proto 2 accept",
    ...ruleLines(rules, "in", iface("in")),
    ...IP_VERSIONS.map(
      (v) =>
        `${v === 4 ? "ip" : "ip6"} saddr @${setName("dc", "management", v)} tcp dport ${MANAGEMENT_PORTS} accept`,
    ),
    ...policyLines(inputPolicy),
  ];
  const outbound = [
    ...conntrack,
    ...(ndp ? [`icmpv6 type ${NDP_TYPES.outNoRadv} accept`] : []),
    "meta l4proto 2 accept",
    ...ruleLines(rules, "out", iface("out")),
    ...(localnet ? [`${ip} daddr ${localnet.text} tcp dport ${LOCALNET_PORTS} accept`] : []),
    ...policyLines(outputPolicy),
  ];
  const table = [
    `table inet ${NFT_TABLE} {`,
    ...clusterSets(ctx),
    ...standardChains(),
    ...groupChains(ctx, where, rules),
    chain("host_in", inbound),
    chain("host_out", outbound),
    chain(
      "input",
      ['iifname "lo" accept', "jump host_in"],
      "type filter hook input priority filter; policy accept;",
    ),
    chain(
      "output",
      ['oifname "lo" accept', "jump host_out"],
      "type filter hook output priority filter; policy accept;",
    ),
    "}",
  ];
  return [...out, ...table, ""].join("\n");
}

/** Every guest's and node's ruleset; throws FirewallTranslationError listing every problem. */
export function translateFirewall(fw: FirewallView): FirewallRulesets {
  const problems: string[] = [];
  const nodes = new Map(fw.hosts.map((n) => [n.name, n]));
  const guests = new Map<string, string>();
  const nodeTexts = new Map<string, string>();
  const contexts = new Map<string, Context>();
  const contextOf = (name: string) => {
    if (!contexts.has(name)) contexts.set(name, contextFor(problems, fw, nodes.get(name)));
    return contexts.get(name)!;
  };
  for (const guest of fw.guests)
    guests.set(guest.key, guestRuleset(contextOf(guest.node), guest, nodes.get(guest.node)));
  for (const node of fw.hosts) nodeTexts.set(node.name, nodeRuleset(contextOf(node.name), node));
  const unique = [...new Set(problems)];
  if (unique.length > 0) throw new FirewallTranslationError(unique);
  return { stack: fw.stack, guests, nodes: nodeTexts };
}
