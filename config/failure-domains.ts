/**
 * Which single Proxmox node failure breaks which service. A service is a set of guests of which at least
 * `needed` must run; a guest runs on one node. Losing a node loses every guest on it (Proxmox HA may
 * restart them elsewhere later, but only from shared storage, and that is a recovery, not redundancy).
 * Pure: plain inputs, no Pulumi.
 */

/** One guest of a service and the node it runs on. */
export interface ServiceMember {
  /** Guest key (moodle-app1). */
  key: string;
  node: string;
}

export interface ClusterService {
  /** Stable id (moodle-balancers). */
  id: string;
  members: readonly ServiceMember[];
  /** How many members must run for the service to answer. Default 1. */
  needed?: number;
}

export interface NodeFailure {
  node: string;
  /** Ids of the services that stop answering when this node is lost, in the services' order. */
  breaks: string[];
}

/** True when the service still has `needed` members after losing `node`. */
export function survives(service: ClusterService, node: string): boolean {
  const left = service.members.filter((m) => m.node !== node).length;
  return left >= (service.needed ?? 1);
}

/** For each node, the services its loss alone stops. A service with no member survives everything. */
export function singleNodeFailures(
  nodes: readonly string[],
  services: readonly ClusterService[],
): NodeFailure[] {
  return nodes.map((node) => ({
    node,
    breaks: services.filter((s) => s.members.length > 0 && !survives(s, node)).map((s) => s.id),
  }));
}

/** Services that some single node failure stops, with the nodes whose loss does it. */
export function servicesBrokenByOneNode(
  nodes: readonly string[],
  services: readonly ClusterService[],
): { id: string; nodes: string[] }[] {
  const failures = singleNodeFailures(nodes, services);
  return services
    .map((s) => ({ id: s.id, nodes: failures.filter((f) => f.breaks.includes(s.id)).map((f) => f.node) }))
    .filter((s) => s.nodes.length > 0);
}
