/**
 * pve-firewall's standard chains in nftables form: what a DROP or REJECT policy does besides
 * dropping (PVEFW-Drop, PVEFW-Reject), how a REJECT answers (PVEFW-reject), and the smurf filter
 * (PVEFW-smurfs). Lines of PVEFW-Drop/-Reject that only drop, as the policy after them does, are
 * left out; everything that accepts or rejects instead is kept. Pure.
 */

export type Policy = "ACCEPT" | "DROP" | "REJECT";
export const POLICIES: readonly Policy[] = ["ACCEPT", "DROP", "REJECT"];

/** Accepts critical ICMP unless sent to broadcast/multicast; IPv6 rejects tcp/43, as pve-firewall does. */
const POLICY_HEAD = [
  "meta nfproto ipv6 tcp dport 43 jump pve_reject",
  "meta nfproto ipv4 fib daddr type { broadcast, multicast, anycast } drop",
  "ip daddr 224.0.0.0/4 drop",
  "ip6 daddr ff00::/8 drop",
  "icmp type 3 icmp code 4 accept",
  "icmp type 11 accept",
  "icmpv6 type { 1, 2, 3 } accept",
  "ct state invalid drop",
];

/** The standard chains every filtering table carries (referenced or not: nft accepts unused chains). */
export function standardChains(): string[] {
  return [
    chain("pve_drop", POLICY_HEAD),
    chain("pve_reject_policy", [
      ...POLICY_HEAD,
      "udp dport { 135, 445, 137-139 } jump pve_reject",
      "udp sport 137 udp dport 1024-65535 jump pve_reject",
      "tcp dport { 135, 139, 445 } jump pve_reject",
      "udp dport 1900 drop",
      "tcp flags & (fin | syn | rst | ack) != syn drop",
      "udp sport 53 drop",
    ]),
    chain("pve_reject", [
      "meta nfproto ipv4 fib daddr type broadcast drop",
      "ip saddr 224.0.0.0/4 drop",
      "meta l4proto { 1, 58 } drop",
      "meta l4proto 6 reject with tcp reset",
      "meta nfproto ipv4 meta l4proto 17 reject with icmp type port-unreachable",
      "meta nfproto ipv6 meta l4proto 17 reject with icmpv6 type port-unreachable",
      "meta nfproto ipv4 reject with icmp type host-prohibited",
      "meta nfproto ipv6 reject with icmpv6 type admin-prohibited",
    ]),
    chain("pve_smurfs", [
      "ip saddr 0.0.0.0 return",
      "fib saddr type broadcast drop",
      "ip saddr 224.0.0.0/4 drop",
    ]),
  ];
}

/** The last lines of a chain whose policy is `policy` (ruleset_add_chain_policy). */
export function policyLines(policy: Policy): string[] {
  if (policy === "ACCEPT") return ["accept"];
  if (policy === "DROP") return ["jump pve_drop", "drop"];
  return ["jump pve_reject_policy", "jump pve_reject"];
}

/** Renders a regular chain (or a base chain when `hook` is given). */
export function chain(name: string, lines: readonly string[], hook?: string): string {
  const head = hook ? [`    ${hook}`] : [];
  return [`  chain ${name} {`, ...head, ...lines.map((l) => `    ${l}`), "  }"].join("\n");
}
