/**
 * One node's ruleset (pve-firewall's host chains): loopback, conntrack, NDP, blacklist, smurfs,
 * IGMP, the node's rules then the cluster's, the management set, the cluster's policies. Pure.
 */
import { parseCidr } from "./cidr";
import { setName, IP_VERSIONS, type AddressScope, type CompiledRule } from "./pve-compile";
import { chain, policyLines, standardChains } from "./nft-std-chains";
import {
  NDP_TYPES,
  NFT_TABLE,
  blacklist,
  clusterSets,
  compileAll,
  groupChains,
  header,
  localNetworkOf,
  policyOf,
  reset,
  ruleLines,
  type Context,
} from "./nft-context";
import type { HostView } from "./firewall-view";

const MANAGEMENT_PORTS = "{ 22, 3128, 5900-5999, 8006, 60000-60050 }";
const LOCALNET_PORTS = "{ 22, 3128, 5900-5999, 8006 }";

export function nodeRuleset(ctx: Context, node: HostView): string {
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
