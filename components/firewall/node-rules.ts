/**
 * A Proxmox node's own allow rules, from the service graph's edges to it (`host:<node>`): monitoring's
 * exporters, the UI for the tunnel's connectors, a files node's NFS for the other nodes. The rules keep
 * the graph's order and carry the edge's purpose as their comment. Pure: no Pulumi import.
 */
import {
  edgeNode,
  edgePortsText,
  type Endpoint,
  type Protocol,
  type ServiceEdge,
} from "../../config/service-edge";

export interface NodeRule {
  type: "in";
  action: "ACCEPT";
  /** A guest's address, or the named networks (a host's `/32` written as the address). */
  source: string;
  proto: Protocol;
  /** Absent for a portless protocol. */
  dport?: string;
  comment: string;
}

/** The rules of node `node`; an edge from a guest the site does not have opens nothing. */
export function nodeRules(
  edges: readonly ServiceEdge[],
  guests: readonly { key: string; ip: string }[],
  node: string,
): NodeRule[] {
  const sourceOf = (from: Endpoint) =>
    "guest" in from
      ? guests.find((g) => g.key === from.guest)?.ip
      : from.cidrs.map((c) => c.replace(/\/32$/, "")).join(",");
  return edges
    .filter((e) => edgeNode(e) === node)
    .flatMap((e) => {
      const source = sourceOf(e.from);
      if (!source) return [];
      const dport = edgePortsText(e);
      return [
        {
          type: "in" as const,
          action: "ACCEPT" as const,
          source,
          proto: e.protocol,
          ...(dport ? { dport } : {}),
          comment: e.purpose,
        },
      ];
    });
}
