import type { SiteConfig } from "../../config/schema";
import type { SiteWiring } from "../../config/wiring";
import type { FirewallModel } from "./model";

/**
 * The firewall model of a site: its guests and its service graph's edges as the Site computed them
 * once, taken as they are (the tiers declare every flow, VRRP between balancers and SSH from the admin
 * networks included; the edges to the Proxmox nodes are the node rules', `node-rules.ts`).
 */
export function firewallModelFor(site: SiteConfig, wiring: SiteWiring): FirewallModel {
  return {
    siteCidr: site.network.cidr,
    adminCidrs: site.network.adminCidrs,
    guests: wiring.guests.map((g) => ({ key: g.key, vmid: g.vmid, hostname: g.hostname, ip: g.ip })),
    edges: wiring.edges,
  };
}
