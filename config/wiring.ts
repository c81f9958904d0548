import type { SiteConfig } from "./schema";
import { guestInventory } from "./inventory";
import { PORTS } from "./ports";
import type {
  Endpoint,
  GuestPlan,
  NeedUse,
  PublishedService,
  ScrapeTarget,
  ServiceEdge,
  WiringTools,
} from "./tier-spec";
import { TIERS } from "./tiers";

export type { Endpoint, PublishedService, ScrapeTarget, ServiceEdge } from "./tier-spec";

export interface SiteWiring {
  guests: GuestPlan[];
  edges: ServiceEdge[];
  published: PublishedService[];
  scrapeTargets: ScrapeTarget[];
}

const tcp = (from: Endpoint, to: string, port: number, purpose: string): ServiceEdge => ({
  from,
  to,
  port,
  protocol: "tcp",
  purpose,
});

/** Every need of every tier of the site, in the order of the tier list. */
export function siteNeeds(site: SiteConfig): NeedUse[] {
  return TIERS.flatMap((tier) => tier.needs?.(site) ?? []);
}

/**
 * Who talks to whom, what is published and what is scraped: derived from the config alone, each tier
 * adding its own (its spec's `wire` and `scrapeTargets`); the site adds what belongs to no tier (the
 * Proxmox UI through the tunnel, SSH from the admin networks, the stack's extra rules).
 */
export function siteWiring(site: SiteConfig): SiteWiring {
  const guests = guestInventory(site);
  const has = (key: string) => guests.some((g) => g.key === key);
  const ip = (key: string) => guests.find((g) => g.key === key)?.ip ?? "";
  const edges: ServiceEdge[] = [];
  const published: PublishedService[] = [];
  const admins: Endpoint = { label: "admin", cidrs: site.network.adminCidrs };
  const lan: Endpoint = { label: "lan", cidrs: [site.network.cidr] };
  const connectors = site.tunnel?.connectorGuests ?? [];
  const originClients: Endpoint[] = [...connectors.map((guest) => ({ guest })), admins];
  const publish = (p: PublishedService) => {
    published.push(p);
    const port = Number(new URL(p.origin).port || (p.origin.startsWith("https") ? 443 : 80));
    if (!p.target.startsWith("host:")) {
      for (const from of originClients) edges.push(tcp(from, p.target, port, `origin of ${p.hostname}`));
    }
  };
  const exporters = TIERS.flatMap((tier) => tier.scrapeTargets?.(site, guests) ?? []);
  const scrapeTargets = TIERS.flatMap((tier) => tier.scrapes?.(site, guests, exporters) ?? []);
  const tools: WiringTools = {
    site,
    guests,
    has,
    ip,
    admins,
    lan,
    originClients,
    needUses: siteNeeds(site),
    scrapeTargets,
    edge: (e) => edges.push(e),
    tcp: (from, to, port, purpose) => edges.push(tcp(from, to, port, purpose)),
    publish,
  };
  for (const tier of TIERS) tier.wire?.(tools);

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
        edges.push(tcp({ guest: c.key }, `host:${n.name}`, PORTS.proxmoxUi, "Proxmox UI through the tunnel"));
  }
  for (const g of guests.filter((x) => x.kind === "lxc"))
    edges.push(tcp(admins, g.key, PORTS.ssh, "administration"));
  for (const rule of site.firewall.extraRules) {
    const from: Endpoint = has(rule.from) ? { guest: rule.from } : { label: rule.from, cidrs: [rule.from] };
    edges.push({ from, to: rule.to, port: rule.port, protocol: rule.protocol, purpose: rule.purpose });
  }
  return { guests, edges: dedupe(edges), published, scrapeTargets };
}

function dedupe(edges: ServiceEdge[]): ServiceEdge[] {
  const seen = new Map<string, ServiceEdge>();
  for (const e of edges) {
    const from = "guest" in e.from ? e.from.guest : e.from.label;
    const key = `${from}|${e.to}|${e.port}|${e.protocol}`;
    if (!seen.has(key)) seen.set(key, e);
  }
  return [...seen.values()];
}
