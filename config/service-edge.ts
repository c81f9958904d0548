/**
 * The one edge type of the program: "`from` may open `to` on these ports". The service graph
 * (`config/wiring.ts`) is a list of these, built from each tier's `spec.ts`; the firewall, the diagram,
 * the box's checks and the deploy benchmark read that same list. Pure: no Pulumi import.
 */

export type Protocol = "tcp" | "udp" | "icmp" | "vrrp";
/** Every protocol, in the order firewall rules and matrix rows are sorted. */
export const PROTOCOLS: readonly Protocol[] = ["tcp", "udp", "icmp", "vrrp"];

/** Protocols without ports: ICMP (ping) and VRRP (keepalived between load balancers). */
export function isPortless(protocol: Protocol): boolean {
  return protocol === "icmp" || protocol === "vrrp";
}

/** An inclusive port range. */
export interface PortRange {
  from: number;
  to: number;
}
export type PortSpec = number | PortRange;

/** A source of traffic: a guest by key, or named networks (the admin networks, the site LAN, a VPN). */
export type Endpoint = { guest: string } | { label: string; cidrs: readonly string[] };

/** The destination of an edge that every guest of the site opens (SSH from the admin networks). */
export const EVERY_GUEST = "*";

/** "`from` may open a connection to `to` on `ports`": every allow rule follows from one of these. */
export interface ServiceEdge {
  from: Endpoint;
  /** Guest key, `host:<node>` for a Proxmox node, or `EVERY_GUEST`. */
  to: string;
  protocol: Protocol;
  /** Destination ports (ports or ranges); required for tcp/udp, absent for icmp/vrrp. */
  ports?: readonly PortSpec[];
  /** Why the flow exists, one line; the firewall rule's comment. */
  purpose: string;
}

/** A one-port TCP or UDP edge, the shape nearly every edge of the graph has. */
export function portEdge(
  protocol: "tcp" | "udp",
  from: Endpoint,
  to: string,
  port: number,
  purpose: string,
): ServiceEdge {
  return { from, to, protocol, ports: [port], purpose };
}

/** The Proxmox node an edge leads to (`host:<node>`), or undefined for a guest. */
export function edgeNode(edge: Pick<ServiceEdge, "to">): string | undefined {
  return edge.to.startsWith("host:") ? edge.to.slice("host:".length) : undefined;
}

/** Whether the edge reaches guest `key` (its own edge, or one to every guest). */
export function reachesGuest(edge: Pick<ServiceEdge, "to">, key: string): boolean {
  return edge.to === key || (edge.to === EVERY_GUEST && !key.startsWith("host:"));
}

/** Whether the edge opens `port` (tcp/udp); a portless edge opens none. */
export function opensPort(edge: Pick<ServiceEdge, "ports">, port: number): boolean {
  return (edge.ports ?? []).some((p) =>
    typeof p === "number" ? p === port : p.from <= port && port <= p.to,
  );
}

/** Every port the edge opens, a range's one by one (none for a portless edge). */
export function portNumbers(edge: Pick<ServiceEdge, "ports">): number[] {
  return (edge.ports ?? []).flatMap((p) =>
    typeof p === "number" ? [p] : Array.from({ length: p.to - p.from + 1 }, (_, i) => p.from + i),
  );
}

/** Proxmox's port text of one port or range: `80`, `8000:8010`. */
export function portText(port: PortSpec): string {
  return typeof port === "number" ? `${port}` : `${port.from}:${port.to}`;
}

/** The edge's ports as text (`3306`, `80,443`), "" for a portless edge. */
export function edgePortsText(edge: Pick<ServiceEdge, "ports">): string {
  return (edge.ports ?? []).map(portText).join(",");
}
