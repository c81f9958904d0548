/**
 * The service edges and published names of a load-balanced cluster (a web cluster, or its Moodle
 * flavour): the tunnel and admins reach every balancer, every balancer reaches every app node, the
 * shared files are the nodes' business (a files node, its node firewall rule). Pure.
 */
import { PORTS } from "./ports";
import type { SiteConfig } from "./schema";
import type { Endpoint, PublishedService, ServiceEdge } from "./wiring";

export interface ClusterWiringInput {
  /** Guest keys of the balancers, the first holds the published origin. */
  balancers: string[];
  /** Guest keys of the app nodes. */
  nodes: string[];
  /** Where the public traffic arrives: the VIP, or the single balancer's address. */
  front: string;
  publicHostname: string;
  statsHostname?: string;
  /** What the app serves ("Moodle", "portal"): in descriptions and edge purposes. */
  label: string;
}

export interface ClusterWiringTools {
  site: SiteConfig;
  admins: Endpoint;
  originClients: Endpoint[];
  edges: ServiceEdge[];
  publish: (p: PublishedService) => void;
  tcp: (from: Endpoint, to: string, port: number, purpose: string) => ServiceEdge;
}

/** Adds the cluster's edges and published names; the app nodes are its database and Redis clients. */
export function wireCluster(c: ClusterWiringInput, t: ClusterWiringTools): void {
  const { edges, tcp, admins } = t;
  const lbs = c.balancers;
  t.publish({
    hostname: c.publicHostname,
    target: lbs[0],
    origin: `http://${c.front}:${PORTS.http}`,
    admin: false,
    description: c.label,
  });
  for (const lb of lbs) {
    for (const node of c.nodes)
      edges.push(tcp({ guest: lb }, node, PORTS.http, `HAProxy to ${c.label} node`));
    // Every balancer takes the public traffic (the VIP moves between them).
    if (lb !== lbs[0])
      for (const from of t.originClients)
        edges.push(tcp(from, lb, PORTS.http, `origin of ${c.publicHostname}`));
    edges.push(tcp(admins, lb, PORTS.haproxyStats, "HAProxy stats page"));
  }
  if (c.statsHostname) {
    t.publish({
      hostname: c.statsHostname,
      target: lbs[0],
      origin: `http://${c.front}:${PORTS.haproxyStats}`,
      admin: true,
      description: "HAProxy stats",
    });
  }
}
