/**
 * The site's services as failure domains: which guests answer for each, what a single Proxmox node's
 * loss stops, and what failover exists for what remains a single point of failure. Feeds the placement
 * check (validation) and the plan's resilience section. Pure.
 */
import { singleNodeFailures, type ClusterService, type NodeFailure } from "./failure-domains";
import type { GuestPlan } from "./inventory";
import type { SiteConfig } from "./schema";

export interface SiteService extends ClusterService {
  /** What it is, for people. */
  title: string;
  /** What happens when it is lost, and what brings it back. */
  failover: string;
}

export interface SinglePoint {
  service: string;
  title: string;
  /** Guest keys of the service (a files node as `<node>:<directory>`). */
  guests: string[];
  /** Nodes whose loss alone stops it (empty: it is outside the cluster). */
  nodes: string[];
  failover: string;
}

export interface Resilience {
  nodeFailures: NodeFailure[];
  singlePoints: SinglePoint[];
}

/** Guests of the Moodle cluster by role, from the stack keys. */
export function moodleRoles(site: SiteConfig): { balancers: string[]; apps: string[] } {
  const m = site.moodle;
  if (!m) return { balancers: [], apps: [] };
  return {
    balancers: Object.keys(m.loadBalancers)
      .sort()
      .map((k) => `moodle-${k}`),
    apps: Object.keys(m.nodes)
      .sort()
      .map((k) => `moodle-${k}`),
  };
}

function recovery(site: SiteConfig, g: GuestPlan): string {
  const disk = g.storage ?? site.proxmox.storage.rootfs;
  const multiNode = site.proxmox.nodes.length > 1;
  const restore = !site.backups
    ? "rebuild it (the stack has no backup job)"
    : multiNode
      ? `restore its vzdump backup (storage ${site.proxmox.storage.backups}) on another node, if that storage outlives the node`
      : `restore its vzdump backup (storage ${site.proxmox.storage.backups})`;
  if (g.ha)
    return `Proxmox HA restarts it on another node only if its disk (${disk}) is shared storage; otherwise ${restore}`;
  return multiNode ? `not under HA: ${restore} (its disk is on ${disk} of its node)` : restore;
}

/** Every service of the site with its members and failover. */
export function siteServices(site: SiteConfig, guests: readonly GuestPlan[]): SiteService[] {
  const byKey = new Map(guests.map((g) => [g.key, g]));
  const member = (key: string) => ({ key, node: byKey.get(key)!.node });
  const services: SiteService[] = [];
  const covered = new Set<string>();
  const add = (s: SiteService) => {
    services.push(s);
    for (const m of s.members) covered.add(m.key);
  };
  const primary = byKey.get("database-primary");
  if (primary) {
    const replica = byKey.get("database-replica");
    add({
      id: "database-primary",
      title: "MariaDB primary (every application's database)",
      members: [member(primary.key)],
      failover: replica
        ? `the replica ${replica.key} on ${replica.node} holds the data by asynchronous replication (it may lag); promoting it is manual (stop replication, read_only off, point the applications' database host at it); or ${recovery(site, primary)}`
        : recovery(site, primary),
    });
    // The replica serves nobody: its loss stops replication, not the site.
    if (replica) covered.add(replica.key);
  }
  const redis = byKey.get("redis");
  if (redis) {
    add({
      id: "redis",
      title: "Redis (sessions, caches, locks)",
      members: [member(redis.key)],
      failover: `no replica: sessions and caches start empty when it returns (users log in again); ${recovery(site, redis)}`,
    });
  }
  const m = site.moodle;
  if (m) {
    const { balancers, apps } = moodleRoles(site);
    add({
      id: "moodle-balancers",
      title: "Moodle load balancers (HAProxy, VIP by keepalived)",
      members: balancers.map(member),
      failover:
        balancers.length > 1
          ? "keepalived moves the VIP to a balancer that still runs (about 3 s)"
          : "one balancer: the site stops with it",
    });
    add({
      id: "moodle-app-nodes",
      title: "Moodle app nodes",
      members: apps.map(member),
      failover: "HAProxy's health check takes a lost node out of the pool; the others serve",
    });
    // A files node is a member by its node: losing that node loses the export.
    const files = m.sharedFiles;
    add({
      id: "moodle-shared-files",
      title: "Moodle shared files (moodledata on the cluster's NFS storage)",
      members: files ? [{ key: `${files.node}:${files.path}`, node: files.node }] : [],
      failover: files
        ? `one NFS server, the node ${files.node}: every app node loses its dataroot (the health page takes them all out) until it returns; the directory ${files.path} is on that node's own disks, outside vzdump: back it up or replicate it yourself`
        : `external NFS server ${m.sharedStorage.server}: outside the cluster, its own redundancy decides`,
    });
  }
  const connectors = site.tunnel?.connectorGuests ?? [];
  if (connectors.length > 0) {
    add({
      id: "tunnel-connectors",
      title: "Cloudflare Tunnel connectors (cloudflared)",
      members: connectors.filter((k) => byKey.has(k)).map(member),
      failover:
        connectors.length > 1
          ? "Cloudflare sends traffic through the connectors that remain"
          : "one connector: nothing is published while its guest is down",
    });
  }
  for (const g of guests) {
    if (covered.has(g.key)) continue;
    add({ id: g.key, title: g.role, members: [member(g.key)], failover: recovery(site, g) });
  }
  return services;
}

/** What one node's loss stops, and every single point of failure that remains with its failover. */
export function siteResilience(site: SiteConfig, guests: readonly GuestPlan[]): Resilience {
  const nodes = site.proxmox.nodes.map((n) => n.name);
  const services = siteServices(site, guests);
  const nodeFailures = singleNodeFailures(nodes, services);
  const singlePoints: SinglePoint[] = [];
  if (nodes.length === 1) {
    singlePoints.push({
      service: "proxmox-node",
      title: `The Proxmox node ${nodes[0]} (single-node stack)`,
      guests: guests.map((g) => g.key),
      nodes,
      failover: "none: every guest runs on it; restore the backups onto a replacement host",
    });
  }
  for (const s of services) {
    const breakers = nodeFailures.filter((f) => f.breaks.includes(s.id)).map((f) => f.node);
    if (breakers.length === 0 && s.members.length > 0) continue;
    singlePoints.push({
      service: s.id,
      title: s.title,
      guests: s.members.map((x) => x.key),
      nodes: breakers,
      failover: s.failover,
    });
  }
  return { nodeFailures, singlePoints };
}
