/**
 * What the guest and node translations share: the table they own, IP sets as nft sets, the
 * cluster's IP sets and security groups compiled once per node (the `management` set includes the
 * node's local network, as pve-firewall adds it), and rule lines placed in a chain. Pure.
 */
import { cidrWithin, parseCidr, type Cidr } from "./cidr";
import {
  compileRule,
  setName,
  IP_VERSIONS,
  type AddressScope,
  type CompiledRule,
  type IpVersion,
} from "./pve-compile";
import { POLICIES, chain, type Policy } from "./nft-std-chains";
import type { AliasInputs, FirewallView, HostView, IpsetInputs, RuleInputs } from "./firewall-view";

/** The table every ruleset owns in its namespace; nothing else there is touched. */
export const NFT_TABLE = "pve_firewall";

export const NDP_TYPES = { in: "{ 133, 134, 135, 136 }", outNoRadv: "{ 133, 135, 136 }" };

/** Removes the table (so a re-apply replaces it atomically); a filtering ruleset adds it back. */
export function reset(family: "inet" | "arp"): string[] {
  return [`table ${family} ${NFT_TABLE}`, `delete table ${family} ${NFT_TABLE}`];
}

export function policyOf(
  problems: string[],
  where: string,
  value: string | undefined,
  fallback: Policy,
): Policy {
  const policy = (value ?? fallback).toUpperCase() as Policy;
  if (!POLICIES.includes(policy)) problems.push(`${where}: ${value} is not ACCEPT, DROP or REJECT`);
  return policy;
}

export const oneLine = (text: string) => text.replace(/[\r\n]+/g, " ");

/** An IP set as two nft sets per IP version: its entries and its `nomatch` exceptions. */
export function renderIpSet(
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

export interface Context {
  problems: string[];
  fw: FirewallView;
  /** The cluster's IP sets as the node compiles them: `management` includes local_network. */
  clusterIpsets: IpsetInputs[];
  clusterAliases: readonly AliasInputs[];
  /** Compiled security groups by name. */
  groups: Map<string, CompiledRule[]>;
}

export function localNetworkOf(fw: FirewallView, node: HostView | undefined): string {
  const alias = fw.aliases.find((a) => (a.name ?? "").toLowerCase() === "local_network");
  // pve-firewall's own fallback when it cannot find the node's network is 127.0.0.0/8.
  return alias?.cidr ?? node?.localNetwork ?? (node?.address ? node.address : "127.0.0.0/8");
}

export function contextFor(problems: string[], fw: FirewallView, node: HostView | undefined): Context {
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

export function aliasLookup(...lists: (readonly AliasInputs[])[]) {
  return (name: string) => {
    const lower = name.replace(/^(dc|guest)\//, "").toLowerCase();
    for (const list of lists) {
      const hit = list.find((a) => (a.name ?? "").toLowerCase() === lower);
      if (hit) return hit.cidr;
    }
    return undefined;
  };
}

export function clusterSets(ctx: Context): string[] {
  return ctx.clusterIpsets.flatMap((s) =>
    renderIpSet(ctx.problems, `cluster ipset ${s.name}`, "dc", s, aliasLookup(ctx.clusterAliases)),
  );
}

/** Chains of the security groups that `rules` insert, each direction once. */
export function groupChains(ctx: Context, where: string, rules: readonly CompiledRule[]): string[] {
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

export function ruleLines(
  rules: readonly CompiledRule[],
  direction: "in" | "out",
  ifaceMatch: (r: CompiledRule) => string,
) {
  return rules
    .filter((r) => r.direction === direction)
    .flatMap((r) => r.lines.map((l) => (l.startsWith("#") ? l : `${ifaceMatch(r)}${l}`)));
}

export function compileAll(
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

export function blacklist(ctx: Context): string[] {
  if (!ctx.clusterIpsets.some((s) => s.name === "blacklist")) return [];
  return IP_VERSIONS.map(
    (v: IpVersion) => `${v === 4 ? "ip" : "ip6"} saddr @${setName("dc", "blacklist", v)} drop`,
  );
}

export function header(fw: FirewallView, what: string): string[] {
  return [`# Proxmox firewall of ${what}, stack ${fw.stack}: translated from the registered resources`];
}

export function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
