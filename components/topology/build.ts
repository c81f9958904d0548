/**
 * Derives the topology diagram's model from a validated site: pure, no Pulumi import.
 * Identical guests of one role on one host share a box; arrows between boxes are merged when
 * every member talks to every member; metrics collapse to one arrow per tier; the admin
 * network's per-guest SSH and UI access is listed on one note instead of drawn.
 */
import { primaryBalancerKey } from "../../config/assignments";
import type { GuestPlan } from "../../config/inventory";
import { PORTS } from "../../config/ports";
import type { SiteConfig } from "../../config/schema";
import { edgePortsText, isPortless, reachesGuest } from "../../config/service-edge";
import { ADMIN_SSH_PURPOSE, siteWiring, type Endpoint, type ServiceEdge } from "../../config/wiring";
import {
  TIER_TITLES,
  type LinkEnd,
  type MetricsLink,
  type PublishedHostname,
  type TopologyGroup,
  type TopologyHost,
  type TopologyLink,
  type TopologyMember,
  type TopologyModel,
  type TopologyNetwork,
  type TopologyTier,
} from "./model";

const TIER_ORDER = Object.keys(TIER_TITLES) as (keyof typeof TIER_TITLES)[];

function member(g: GuestPlan): TopologyMember {
  return {
    key: g.key,
    hostname: g.hostname,
    vmid: g.vmid,
    ip: g.ip,
    cores: g.cores,
    memoryMb: g.memoryMb,
    diskGb: g.diskGb,
    kind: g.kind,
    stateful: g.stateful,
  };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** Plural of a role title for a box of several guests: "Moodle app node" → "Moodle app nodes". */
function plural(role: string): string {
  return /s$/.test(role) ? role : `${role}s`;
}

function hostsOf(site: SiteConfig, guests: GuestPlan[]): TopologyHost[] {
  return site.proxmox.nodes.map((n) => {
    const tiers: TopologyTier[] = [];
    for (const tier of TIER_ORDER) {
      const inTier = guests.filter((g) => g.node === n.name && g.tier === tier);
      if (inTier.length === 0) continue;
      const roles = [...new Set(inTier.map((g) => g.role))];
      const groups = roles.map((role): TopologyGroup => {
        const members = inTier.filter((g) => g.role === role);
        const lone = members.length === 1;
        return {
          id: lone ? members[0].key : `${n.name}-${tier}-${slug(role)}`,
          title: lone ? role : `${plural(role)} ×${members.length}`,
          tier,
          members: members.map(member),
        };
      });
      tiers.push({ id: `${n.name}-${tier}`, tier, title: TIER_TITLES[tier], groups });
    }
    return { name: n.name, address: n.address, cpuThreads: n.cpuThreads, memoryGb: n.memoryGb, tiers };
  });
}

function portsText(ports: Iterable<number | string>, protocols: Iterable<string>): string {
  const list = [...new Set([...ports].map(String))].join(", ");
  const protos = [...new Set(protocols)].sort();
  return protos.length === 1 && protos[0] === "tcp" ? list : `${list} ${protos.join("+")}`;
}

const isMetrics = (e: ServiceEdge) => e.purpose.startsWith("metrics");
const isOrigin = (e: ServiceEdge) => e.purpose.startsWith("origin of ");
const labelOf = (from: Endpoint) => ("guest" in from ? undefined : from.label);

interface Placement {
  group: TopologyGroup;
  tierId: string;
  host: string;
}

/** Links between guests, merged to box-to-box arrows where every member pair shares them. */
function guestLinks(edges: ServiceEdge[], place: Map<string, Placement>, endOf: (key: string) => LinkEnd) {
  const byPair = new Map<string, ServiceEdge[]>();
  for (const e of edges) {
    if (!("guest" in e.from)) continue;
    const from = place.get(e.from.guest);
    const to = place.get(e.to);
    if (!from || !to || from.group.id === to.group.id) continue;
    const k = `${from.group.id}|${to.group.id}`;
    byPair.set(k, [...(byPair.get(k) ?? []), e]);
  }
  const links: TopologyLink[] = [];
  for (const list of byPair.values()) {
    const fromGroup = place.get((list[0].from as { guest: string }).guest)!.group;
    const toGroup = place.get(list[0].to)!.group;
    const perPair = new Map<string, ServiceEdge[]>();
    for (const e of list) {
      const k = `${(e.from as { guest: string }).guest}|${e.to}`;
      perPair.set(k, [...(perPair.get(k) ?? []), e]);
    }
    const signature = (es: ServiceEdge[]) =>
      portsText(
        es.map(edgePortsText).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10)),
        [],
      );
    const signatures = new Set([...perPair.values()].map(signature));
    const complete = perPair.size === fromGroup.members.length * toGroup.members.length;
    if (complete && signatures.size === 1) {
      links.push({
        from: { group: fromGroup.id },
        to: { group: toGroup.id },
        ports: portsText(
          list.map(edgePortsText),
          list.map((e) => e.protocol),
        ),
        purpose: list[0].purpose,
      });
      continue;
    }
    for (const [k, es] of perPair) {
      const [from, to] = k.split("|");
      links.push({
        from: endOf(from),
        to: endOf(to),
        ports: portsText(
          es.map(edgePortsText),
          es.map((e) => e.protocol),
        ),
        purpose: es[0].purpose,
      });
    }
  }
  return links;
}

/** Builds the diagram model of a validated site. */
export function buildTopology(site: SiteConfig): TopologyModel {
  const wiring = siteWiring(site);
  const guests = wiring.guests;
  const hosts = hostsOf(site, guests);
  const place = new Map<string, Placement>();
  for (const h of hosts)
    for (const t of h.tiers)
      for (const group of t.groups)
        for (const m of group.members) place.set(m.key, { group, tierId: t.id, host: h.name });
  const endOf = (key: string): LinkEnd => {
    const p = place.get(key);
    if (!p) return { host: key.replace(/^host:/, "") };
    return p.group.members.length === 1 ? { group: p.group.id } : { group: p.group.id, member: key };
  };
  const vip = site.moodle?.vip;
  const firstBalancer = site.moodle ? primaryBalancerKey(site.moodle) : undefined;
  if (vip && firstBalancer) place.get(`moodle-${firstBalancer}`)!.group.vip = vip;

  // Portless edges (keepalived's VRRP between a cluster's balancers) carry no service: the diagram
  // shows the balancer pair by its floating address.
  const links = guestLinks(
    wiring.edges.filter((e) => !isMetrics(e) && !isOrigin(e) && !isPortless(e.protocol)),
    place,
    endOf,
  );

  // Networks that are not guests (the site LAN, CIDRs of extra rules); admins go on the note.
  const networks = new Map<string, TopologyNetwork>();
  const networkEdges = new Map<string, ServiceEdge[]>();
  for (const e of wiring.edges) {
    const label = labelOf(e.from);
    if (!label || label === "admin" || isOrigin(e) || !place.has(e.to)) continue;
    const cidrs = "cidrs" in e.from ? [...e.from.cidrs] : [];
    const id = `net-${slug(`${label} ${cidrs.join(" ")}`)}`;
    networks.set(id, { id, label: label === "lan" ? "Site LAN" : label, cidrs });
    const k = `${id}|${e.to}`;
    networkEdges.set(k, [...(networkEdges.get(k) ?? []), e]);
  }
  for (const [k, es] of networkEdges) {
    links.push({
      from: { network: k.split("|")[0] },
      to: endOf(es[0].to),
      ports: portsText(
        es.map(edgePortsText),
        es.map((e) => e.protocol),
      ),
      purpose: es[0].purpose,
    });
  }

  // Metrics: one entry per tier cluster and per host, with the exporters scraped there.
  const metrics: MetricsLink[] = [];
  const monitoring = place.has("monitoring") ? endOf("monitoring") : undefined;
  if (monitoring) {
    const byTarget = new Map<string, MetricsLink>();
    for (const t of wiring.scrapeTargets) {
      if (t.target === "monitoring") continue;
      const p = place.get(t.target);
      const to = p ? { host: p.host, tier: p.tierId } : { host: t.target.replace(/^host:/, "") };
      const k = `${to.host}|${"tier" in to ? to.tier : ""}`;
      const entry = byTarget.get(k) ?? { from: monitoring, to, ports: "", jobs: [] };
      if (!entry.jobs.some((j) => j.job === t.job)) entry.jobs.push({ job: t.job, port: t.port });
      byTarget.set(k, entry);
    }
    for (const m of byTarget.values()) {
      m.jobs.sort((a, b) => a.port - b.port);
      m.ports = portsText(
        m.jobs.map((j) => j.port),
        [],
      );
      metrics.push(m);
    }
  }

  // Admin access, listed once.
  const lxc = guests.filter((g) => g.kind === "lxc").map((g) => g.key);
  const adminByService = new Map<string, string[]>();
  for (const e of wiring.edges) {
    if (labelOf(e.from) !== "admin" || isOrigin(e)) continue;
    const k = `${e.purpose === ADMIN_SSH_PURPOSE ? "SSH" : e.purpose} ${edgePortsText(e)}`;
    const to = guests.filter((g) => reachesGuest(e, g.key)).map((g) => g.key);
    adminByService.set(k, [...(adminByService.get(k) ?? []), ...to]);
  }
  const hostnameOf = (key: string) => guests.find((g) => g.key === key)?.hostname ?? key;
  const admin = {
    cidrs: site.network.adminCidrs,
    lines: [...adminByService].map(([service, targets]) => {
      const all = lxc.length > 1 && lxc.every((k) => targets.includes(k));
      return `${service} → ${all ? "every container" : targets.map(hostnameOf).join(", ")}`;
    }),
  };
  admin.lines.push(
    `Proxmox UI ${PORTS.proxmoxUi}, SSH ${PORTS.ssh} → ${site.proxmox.nodes.map((n) => n.name).join(", ")}`,
  );

  let tunnel: TopologyModel["tunnel"];
  if (site.tunnel) {
    const hostnames: PublishedHostname[] = wiring.published.map((p) => {
      const url = new URL(p.origin);
      const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
      const node = site.proxmox.nodes.find((n) => n.address === url.hostname);
      const guest = guests.find((g) => g.ip === url.hostname);
      let to: LinkEnd;
      if (vip && url.hostname === vip) to = { group: place.get(p.target)!.group.id, vip: true };
      else if (guest) to = endOf(guest.key);
      else if (node) to = { host: node.name };
      else to = endOf(p.target);
      return { hostname: p.hostname, description: p.description, admin: p.admin, to, port };
    });
    // Rows in the order of their targets in the diagram, so that arrows do not cross.
    const order = new Map<string, number>();
    hosts.forEach((h) => h.tiers.forEach((t) => t.groups.forEach((g) => order.set(g.id, order.size))));
    const rank = (end: LinkEnd) => ("group" in end ? (order.get(end.group) ?? order.size) : order.size + 1);
    hostnames.sort((a, b) => rank(a.to) - rank(b.to));
    tunnel = { name: site.tunnel.name, connectors: site.tunnel.connectorGuests.map(endOf), hostnames };
  }

  return {
    title: `${site.site.client}: site topology`,
    subtitle: `network ${site.network.cidr} on ${site.network.bridge}, gateway ${site.network.gateway}, ${guests.length} guests`,
    hosts,
    links,
    metrics,
    networks: [...networks.values()],
    tunnel,
    admin,
  };
}
