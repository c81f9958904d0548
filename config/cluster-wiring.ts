/**
 * The service edges and published names of a load-balanced cluster (a web cluster, or its Moodle
 * flavour): the tunnel and admins reach every balancer, every balancer reaches every app node, the
 * shared files are the nodes' business (a files node, its node firewall rule). Pure.
 */
import { PORTS } from "./ports";
import type { WiringTools } from "./tier-spec";

export interface ClusterWiringInput {
  /** Guest keys of the balancers, the first holds the published origin. */
  balancers: string[];
  /** Guest keys of the app nodes. */
  nodes: string[];
  /** The Proxmox node serving the shared files over NFS, when one does (else a NAS or none). */
  filesNode?: string;
  /** What the shared files are called in the NFS edges' purpose. */
  sharedLabel: string;
  /** Where the public traffic arrives: the VIP, or the single balancer's address. */
  front: string;
  publicHostname: string;
  statsHostname?: string;
  /** What the app serves ("Moodle", "portal"): in descriptions and edge purposes. */
  label: string;
}

/** Adds the cluster's edges and published names; the app nodes are its database and Redis clients. */
export function wireCluster(c: ClusterWiringInput, t: WiringTools): void {
  const { tcp, admins } = t;
  const lbs = c.balancers;
  t.publish({
    hostname: c.publicHostname,
    target: lbs[0],
    origin: `http://${c.front}:${PORTS.http}`,
    admin: false,
    description: c.label,
  });
  for (const lb of lbs) {
    for (const node of c.nodes) tcp({ guest: lb }, node, PORTS.http, `HAProxy to ${c.label} node`);
    // Every balancer takes the public traffic (the VIP moves between them).
    if (lb !== lbs[0])
      for (const from of t.originClients) tcp(from, lb, PORTS.http, `origin of ${c.publicHostname}`);
    tcp(admins, lb, PORTS.haproxyStats, "HAProxy stats page");
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
  if (c.filesNode) {
    // Every other node mounts the share (a cluster storage) from the files node and bind-mounts it
    // into the app nodes; the files node itself reaches its own export over loopback.
    for (const other of t.site.proxmox.nodes.filter((n) => n.name !== c.filesNode))
      tcp(
        { label: `proxmox-node-${other.name}`, cidrs: [`${other.address}/32`] },
        `host:${c.filesNode}`,
        PORTS.nfs,
        `${c.sharedLabel} over NFS for ${other.name}`,
      );
  }
}

/**
 * keepalived's peers send VRRP adverts to each other: without an edge each way the guests' firewalls
 * drop them and every balancer holds the floating address. A lone balancer has no peer.
 */
export function wireKeepalivedPeers(balancers: readonly string[], t: WiringTools): void {
  for (const to of balancers)
    for (const from of balancers)
      if (from !== to)
        t.edge({ from: { guest: from }, to, protocol: "vrrp", purpose: "keepalived VRRP adverts" });
}
