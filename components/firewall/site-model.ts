import type { SiteConfig } from "../../config/schema";
import { PORTS } from "../../config/ports";
import type { SiteWiring } from "../../config/wiring";
import { webClusterGuestKey } from "../../config/web-cluster-schema";
import type { FirewallModel, ServiceEdge } from "./model";

/**
 * The firewall model of a site, straight from its service graph (computed once, by the Site): every edge between guests
 * becomes an allow rule at its destination; SSH from the admin networks is added by the model
 * itself (adminSsh), so the graph's per-guest SSH edges are not repeated here.
 */
export function firewallModelFor(site: SiteConfig, wiring: SiteWiring): FirewallModel {
  const lxcKeys = new Set(wiring.guests.filter((g) => g.kind === "lxc").map((g) => g.key));
  const edges: ServiceEdge[] = wiring.edges
    .filter((e) => !e.to.startsWith("host:") && wiring.guests.some((g) => g.key === e.to))
    // A guest reaching its own service (cloudflared on the AdGuard guest) needs no rule.
    .filter((e) => !("guest" in e.from && e.from.guest === e.to))
    .filter(
      (e) => !(e.port === PORTS.ssh && e.protocol === "tcp" && "label" in e.from && e.from.label === "admin"),
    )
    .map((e) => ({ from: e.from, to: e.to, proto: e.protocol, ports: [e.port], purpose: e.purpose }));
  // keepalived peers send VRRP adverts to each other: without them both would hold the VIP.
  for (const balancers of balancerGroups(site)) {
    for (const to of balancers) {
      for (const from of balancers) {
        if (from !== to)
          edges.push({ from: { guest: from }, to, proto: "vrrp", purpose: "keepalived VRRP adverts" });
      }
    }
  }
  return {
    siteCidr: site.network.cidr,
    adminCidrs: site.network.adminCidrs,
    guests: wiring.guests
      .filter((g) => lxcKeys.has(g.key) || g.kind === "vm")
      .map((g) => ({ key: g.key, vmid: g.vmid, hostname: g.hostname, ip: g.ip })),
    edges,
    adminSsh: true,
  };
}

/** The guest keys of each set of keepalived peers: Moodle's balancers and every web cluster's. */
function balancerGroups(site: SiteConfig): string[][] {
  const groups = [Object.keys(site.moodle?.loadBalancers ?? {}).map((k) => `moodle-${k}`)];
  for (const [name, cluster] of Object.entries(site.webClusters ?? {}))
    groups.push(Object.keys(cluster.loadBalancers).map((k) => webClusterGuestKey(name, k)));
  return groups.filter((g) => g.length > 1);
}
