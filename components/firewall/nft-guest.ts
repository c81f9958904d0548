/**
 * One guest's ruleset: per firewalled NIC an inbound and an outbound chain in Proxmox's order
 * (conntrack, blacklist, smurfs, DHCP, NDP, router advertisements, IP filter, rules, policy),
 * hooked on the NIC's name in the guest's input, output and forward paths. Pure.
 */
import { parseCidr, type Cidr } from "./cidr";
import { setName, IP_VERSIONS, type AddressScope } from "./pve-compile";
import { chain, policyLines, standardChains } from "./nft-std-chains";
import {
  NDP_TYPES,
  NFT_TABLE,
  aliasLookup,
  blacklist,
  clusterSets,
  compileAll,
  dedupe,
  groupChains,
  header,
  policyOf,
  renderIpSet,
  reset,
  ruleLines,
  type Context,
} from "./nft-context";
import type { GuestView, HostView, IpsetInputs } from "./firewall-view";

export function guestRuleset(ctx: Context, guest: GuestView, node: HostView | undefined): string {
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
      base.fwdIn.push(`iifname ${dev} ct state invalid drop`);
      base.output.push(`oifname ${dev} ct state invalid drop`);
      base.fwdOut.push(`oifname ${dev} ct state invalid drop`);
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
