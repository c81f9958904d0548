import type { SiteConfig } from "./schema";
import { guestInventory } from "./inventory";
import { PORTS } from "./ports";
import { EVERY_GUEST, edgePortsText, portEdge, type Endpoint, type ServiceEdge } from "./service-edge";
import type { GuestPlan, NeedUse, PublishedService, ScrapeTarget, TierSpec, WiringTools } from "./tier-spec";
import { TIERS } from "./tiers";

export type { Endpoint, ServiceEdge } from "./service-edge";
export type { PublishedService, ScrapeTarget } from "./tier-spec";

/** The purpose of the admin networks' SSH edge to every guest (the guests' rule comment). */
export const ADMIN_SSH_PURPOSE = "admin SSH";

export interface SiteWiring {
  guests: GuestPlan[];
  edges: ServiceEdge[];
  published: PublishedService[];
  scrapeTargets: ScrapeTarget[];
}

/** Every need of every tier of the site, in the order of the tier list. */
export function siteNeeds(site: SiteConfig, tiers: readonly TierSpec[] = TIERS): NeedUse[] {
  return tiers.flatMap((tier) => tier.needs?.(site) ?? []);
}

/**
 * Who talks to whom, what is published and what is scraped: derived from the config alone, each tier
 * adding its own (its spec's `wire` and `scrapeTargets`); the site adds what belongs to no tier (the
 * Proxmox UI through the tunnel, SSH from the admin networks, the stack's extra rules). `tiers` is the
 * tier list (a test passes a changed copy).
 */
export function siteWiring(site: SiteConfig, tiers: readonly TierSpec[] = TIERS): SiteWiring {
  const guests = guestInventory(site);
  const has = (key: string) => guests.some((g) => g.key === key);
  const ip = (key: string) => guests.find((g) => g.key === key)?.ip ?? "";
  const edges: ServiceEdge[] = [];
  // A guest reaching its own service (cloudflared on the AdGuard guest) crosses no firewall: no edge.
  const add = (e: ServiceEdge) => {
    if (!("guest" in e.from && e.from.guest === e.to)) edges.push(e);
  };
  const tcp = (from: Endpoint, to: string, port: number, purpose: string) =>
    add(portEdge("tcp", from, to, port, purpose));
  const published: PublishedService[] = [];
  const admins: Endpoint = { label: "admin", cidrs: site.network.adminCidrs };
  const lan: Endpoint = { label: "lan", cidrs: [site.network.cidr] };
  const connectors = site.tunnel?.connectorGuests ?? [];
  const originClients: Endpoint[] = [...connectors.map((guest) => ({ guest })), admins];
  const publish = (p: PublishedService) => {
    published.push(p);
    const port = Number(new URL(p.origin).port || (p.origin.startsWith("https") ? 443 : 80));
    if (!p.target.startsWith("host:")) {
      for (const from of originClients) tcp(from, p.target, port, `origin of ${p.hostname}`);
    }
  };
  const exporters = tiers.flatMap((tier) => tier.scrapeTargets?.(site, guests) ?? []);
  const scrapeTargets = tiers.flatMap((tier) => tier.scrapes?.(site, guests, exporters) ?? []);
  const tools: WiringTools = {
    site,
    guests,
    has,
    ip,
    admins,
    lan,
    originClients,
    needUses: siteNeeds(site, tiers),
    scrapeTargets,
    edge: add,
    tcp,
    udp: (from, to, port, purpose) => add(portEdge("udp", from, to, port, purpose)),
    publish,
  };
  for (const tier of tiers) tier.wire?.(tools);

  if (site.tunnel?.proxmoxHostname) {
    const node = site.proxmox.nodes[0];
    publish({
      hostname: site.tunnel.proxmoxHostname,
      target: `host:${node.name}`,
      origin: `https://${node.address}:${PORTS.proxmoxUi}`,
      admin: true,
      noTlsVerify: true,
      description: "Proxmox VE UI",
    });
    // Every node's UI is open to the connectors (the node firewall), whichever node the name points at.
    for (const c of guests.filter((g) => connectors.includes(g.key)))
      for (const n of site.proxmox.nodes)
        tcp({ guest: c.key }, `host:${n.name}`, PORTS.proxmoxUi, "Proxmox UI through the tunnel");
  }
  // One edge for every guest: the guests' firewalls each open SSH to the admin networks.
  if (guests.length > 0) tcp(admins, EVERY_GUEST, PORTS.ssh, ADMIN_SSH_PURPOSE);
  for (const rule of site.firewall.extraRules) {
    const from: Endpoint = has(rule.from) ? { guest: rule.from } : { label: rule.from, cidrs: [rule.from] };
    add(portEdge(rule.protocol, from, rule.to, rule.port, rule.purpose));
  }
  return { guests, edges: dedupe(edges), published, scrapeTargets };
}

function dedupe(edges: ServiceEdge[]): ServiceEdge[] {
  const seen = new Map<string, ServiceEdge>();
  for (const e of edges) {
    const from = "guest" in e.from ? e.from.guest : e.from.label;
    const key = `${from}|${e.to}|${edgePortsText(e)}|${e.protocol}`;
    if (!seen.has(key)) seen.set(key, e);
  }
  return [...seen.values()];
}
