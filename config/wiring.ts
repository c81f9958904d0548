import { primaryBalancerKey } from "./assignments";
import { wireCluster } from "./cluster-wiring";
import { guestInventory, webClusterGuestKey, type GuestPlan } from "./inventory";
import { PORTS } from "./ports";
import type { SiteConfig } from "./schema";

/** A source of traffic: a guest by key, or a named set of networks. */
export type Endpoint = { guest: string } | { label: string; cidrs: string[] };

/** "from may open a connection to to:port" — every allow rule follows from one of these. */
export interface ServiceEdge {
  from: Endpoint;
  /** Guest key, or "host:<node>" for a Proxmox node. */
  to: string;
  port: number;
  protocol: "tcp" | "udp";
  purpose: string;
}

/** A hostname published through the tunnel. */
export interface PublishedService {
  hostname: string;
  /** Guest key that serves it, or "host:<node>". */
  target: string;
  /** Origin URL cloudflared connects to. */
  origin: string;
  /** Admin tools sit behind Cloudflare Access; public apps use their own login. */
  admin: boolean;
  /** Only the Proxmox UI's self-signed origin certificate is not verified. */
  noTlsVerify?: boolean;
  description: string;
}

/** An exporter Prometheus scrapes. */
export interface ScrapeTarget {
  job: "node" | "mysqld" | "redis" | "haproxy" | "proxmox";
  instance: string;
  address: string;
  port: number;
  /** Guest key that runs the exporter, or "host:<node>". */
  target: string;
}

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

/** Who talks to whom, what is published and what is scraped: derived from the config alone. */
export function siteWiring(site: SiteConfig): SiteWiring {
  const guests = guestInventory(site);
  const has = (key: string) => guests.some((g) => g.key === key);
  const ip = (key: string) => guests.find((g) => g.key === key)?.ip ?? "";
  const edges: ServiceEdge[] = [];
  const published: PublishedService[] = [];
  const admins: Endpoint = { label: "admin", cidrs: site.network.adminCidrs };
  const connectors = site.tunnel?.connectorGuests ?? [];
  const originClients: Endpoint[] = [...connectors.map((guest) => ({ guest })), admins];
  const publish = (p: PublishedService) => {
    published.push(p);
    const port = Number(new URL(p.origin).port || (p.origin.startsWith("https") ? 443 : 80));
    if (!p.target.startsWith("host:")) {
      for (const from of originClients) edges.push(tcp(from, p.target, port, `origin of ${p.hostname}`));
    }
  };

  const dbClients: string[] = [];
  for (const [name, nc] of Object.entries(site.nextcloud ?? {})) {
    const key = `nextcloud-${name}`;
    dbClients.push(key);
    publish({
      hostname: nc.publicHostname,
      target: key,
      origin: `http://${nc.ip}:${PORTS.http}`,
      admin: false,
      description: `Nextcloud ${name}`,
    });
  }
  if (site.frappe) {
    dbClients.push("frappe");
    publish({
      hostname: site.frappe.publicHostname,
      target: "frappe",
      origin: `http://${site.frappe.ip}:${PORTS.frappe}`,
      admin: false,
      description: "ERPNext",
    });
  }
  if (site.snipeIt) {
    dbClients.push("snipe-it");
    publish({
      hostname: site.snipeIt.publicHostname,
      target: "snipe-it",
      origin: `http://${site.snipeIt.ip}:${PORTS.http}`,
      admin: false,
      description: "Snipe-IT",
    });
  }
  if (site.passbolt) {
    dbClients.push("passbolt");
    publish({
      hostname: site.passbolt.publicHostname,
      target: "passbolt",
      origin: `http://${site.passbolt.ip}:${PORTS.http}`,
      admin: false,
      description: "Passbolt",
    });
  }
  if (site.webApps) {
    for (const role of ["frontend", "backend"] as const) {
      for (const s of site.webApps[role].sites) {
        publish({
          hostname: s.hostname,
          target: role,
          origin: `http://${site.webApps[role].ip}:${PORTS.http}`,
          admin: false,
          description: `website on ${role}`,
        });
      }
    }
  }
  const redisClients: string[] = [];
  if (site.nextcloud) redisClients.push(...Object.keys(site.nextcloud).map((n) => `nextcloud-${n}`));
  if (site.frappe) redisClients.push("frappe");
  const tools = { site, admins, originClients, edges, publish, tcp };
  if (site.moodle) {
    const m = site.moodle;
    // The primary balancer first: it holds the VIP, and a single balancer is the front itself.
    const primary = `moodle-${primaryBalancerKey(m)}`;
    const lbs = [
      primary,
      ...Object.keys(m.loadBalancers)
        .map((k) => `moodle-${k}`)
        .filter((k) => k !== primary),
    ];
    const nodes = Object.keys(m.nodes).map((k) => `moodle-${k}`);
    dbClients.push(...nodes);
    redisClients.push(...nodes);
    wireCluster(
      {
        balancers: lbs,
        nodes,
        front: m.vip ?? ip(lbs[0]),
        publicHostname: m.publicHostname,
        statsHostname: m.statsHostname,
        label: "Moodle",
      },
      tools,
    );
  }
  for (const [name, c] of Object.entries(site.webClusters ?? {})) {
    const lbs = Object.keys(c.loadBalancers).map((k) => webClusterGuestKey(name, k));
    const nodes = Object.keys(c.nodes).map((k) => webClusterGuestKey(name, k));
    if (c.database) dbClients.push(...nodes);
    if (c.redisSessions && c.runtime.kind === "php") redisClients.push(...nodes);
    wireCluster(
      {
        balancers: lbs,
        nodes,
        front: c.vip ?? ip(lbs[0]),
        publicHostname: c.publicHostname,
        statsHostname: c.statsHostname,
        label: name,
      },
      tools,
    );
  }
  if (has("database-primary")) {
    for (const c of dbClients)
      edges.push(tcp({ guest: c }, "database-primary", PORTS.mariadb, "application database"));
    if (has("database-replica"))
      edges.push(tcp({ guest: "database-replica" }, "database-primary", PORTS.mariadb, "replication"));
  }
  if (has("redis"))
    for (const c of redisClients)
      edges.push(tcp({ guest: c }, "redis", PORTS.redis, "cache, locks and sessions"));

  if (site.networkServices) {
    const ns = site.networkServices;
    edges.push({
      from: { label: "lan", cidrs: [site.network.cidr] },
      to: "network-services",
      port: PORTS.dns,
      protocol: "udp",
      purpose: "DNS",
    });
    edges.push(
      tcp({ label: "lan", cidrs: [site.network.cidr] }, "network-services", PORTS.dns, "DNS over TCP"),
    );
    edges.push(tcp(admins, "network-services", PORTS.adguardUi, "AdGuard Home UI"));
    if (ns.adguardHostname) {
      publish({
        hostname: ns.adguardHostname,
        target: "network-services",
        origin: `http://${ns.ip}:${PORTS.adguardUi}`,
        admin: true,
        description: "AdGuard Home",
      });
    }
  }
  if (site.printServer) {
    const lan: Endpoint = { label: "lan", cidrs: [site.network.cidr] };
    edges.push(tcp(lan, "print-server", PORTS.ipp, "printing (IPP)"));
    edges.push(tcp(lan, "print-server", PORTS.smb, "printing (SMB printer shares)"));
    edges.push(tcp(admins, "print-server", PORTS.ipp, "CUPS administration"));
  }
  const scrapeTargets: ScrapeTarget[] = [];
  if (site.monitoring) {
    const mon = site.monitoring;
    for (const node of site.proxmox.nodes) {
      scrapeTargets.push({
        job: "node",
        instance: node.name,
        address: node.address,
        port: PORTS.nodeExporter,
        target: `host:${node.name}`,
      });
      scrapeTargets.push({
        job: "proxmox",
        instance: node.name,
        address: node.address,
        port: PORTS.proxmoxUi,
        target: `host:${node.name}`,
      });
    }
    for (const g of guests.filter((x) => x.kind === "lxc")) {
      scrapeTargets.push({
        job: "node",
        instance: g.hostname,
        address: g.ip,
        port: PORTS.nodeExporter,
        target: g.key,
      });
    }
    for (const key of ["database-primary", "database-replica"].filter(has)) {
      scrapeTargets.push({
        job: "mysqld",
        instance: guests.find((g) => g.key === key)!.hostname,
        address: ip(key),
        port: PORTS.mysqldExporter,
        target: key,
      });
    }
    if (has("redis"))
      scrapeTargets.push({
        job: "redis",
        instance: guests.find((g) => g.key === "redis")!.hostname,
        address: ip("redis"),
        port: PORTS.redisExporter,
        target: "redis",
      });
    for (const [k, lb] of Object.entries(site.moodle?.loadBalancers ?? {})) {
      scrapeTargets.push({
        job: "haproxy",
        instance: lb.hostname,
        address: lb.ip,
        port: PORTS.haproxyMetrics,
        target: `moodle-${k}`,
      });
    }
    for (const [name, c] of Object.entries(site.webClusters ?? {})) {
      for (const [k, lb] of Object.entries(c.loadBalancers)) {
        scrapeTargets.push({
          job: "haproxy",
          instance: lb.hostname,
          address: lb.ip,
          port: PORTS.haproxyMetrics,
          target: webClusterGuestKey(name, k),
        });
      }
    }
    for (const t of scrapeTargets) {
      if (!t.target.startsWith("host:") && t.target !== "monitoring")
        edges.push(tcp({ guest: "monitoring" }, t.target, t.port, `metrics (${t.job})`));
    }
    edges.push(tcp(admins, "monitoring", PORTS.grafana, "Grafana"));
    edges.push(tcp(admins, "monitoring", PORTS.prometheus, "Prometheus UI"));
    if (mon.grafanaHostname) {
      publish({
        hostname: mon.grafanaHostname,
        target: "monitoring",
        origin: `http://${mon.ip}:${PORTS.grafana}`,
        admin: true,
        description: "Grafana",
      });
    }
  }
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
  }
  for (const g of guests.filter((x) => x.kind === "lxc"))
    edges.push(tcp(admins, g.key, PORTS.ssh, "administration"));
  if (has("windows-gpu")) {
    // RDP is TCP; its UDP transport on the same port carries the screen of a render workstation better.
    edges.push(tcp(admins, "windows-gpu", PORTS.rdp, "Remote Desktop"));
    edges.push({
      from: admins,
      to: "windows-gpu",
      port: PORTS.rdp,
      protocol: "udp",
      purpose: "Remote Desktop (UDP)",
    });
  }
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
