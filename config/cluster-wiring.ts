/**
 * The service edges and published names of a load-balanced cluster (a web cluster, or its Moodle
 * flavour): the tunnel and admins reach every balancer, every balancer reaches every app node, the
 * Proxmox nodes mount the shared files from the cluster's NFS guest. Pure.
 */
import { PORTS } from "./ports";
import type { Endpoint, WiringTools } from "./tier-spec";

export interface ClusterWiringInput {
  /** Guest keys of the balancers, the first holds the published origin. */
  balancers: string[];
  /** Guest keys of the app nodes. */
  nodes: string[];
  /** Guest key of the NFS guest of the shared files, when the stack has one. */
  filesGuest?: string;
  /** Where the public traffic arrives: the VIP, or the single balancer's address. */
  front: string;
  publicHostname: string;
  statsHostname?: string;
  /** What the app serves ("Moodle", "portal"): in descriptions and edge purposes. */
  label: string;
  /** What the shared files are called in the NFS edge's purpose. */
  sharedLabel: string;
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
  if (c.filesGuest) {
    // The Proxmox nodes mount the share (a cluster storage) and bind-mount it into the app nodes.
    const pveNodes: Endpoint = {
      label: "proxmox-nodes",
      cidrs: t.site.proxmox.nodes.map((n) => `${n.address}/32`),
    };
    tcp(pveNodes, c.filesGuest, PORTS.nfs, `${c.sharedLabel} storage over NFS`);
    tcp(pveNodes, c.filesGuest, PORTS.rpcbind, "NFS rpcbind (Proxmox's storage check)");
  }
}
