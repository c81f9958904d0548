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
import { contextFor, type Context } from "./nft-context";
import { guestRuleset } from "./nft-guest";
import { nodeRuleset } from "./nft-host";
import type { FirewallView } from "./firewall-view";

export { NFT_TABLE } from "./nft-context";

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
