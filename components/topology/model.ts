/**
 * The topology diagram's model: Proxmox hosts, guests grouped by tier (identical guests of one
 * role share a box), the tunnel and its public hostnames, and the service links between boxes.
 * Pure types; build.ts derives the model from the validated config and its wiring.
 */
import type { Tier } from "../../config/inventory";

/** One guest as a row of its box. */
export interface TopologyMember {
  key: string;
  hostname: string;
  vmid: number;
  ip: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  kind: "lxc" | "vm";
  stateful: boolean;
}

/** A box of the diagram: one guest, or several guests of the same role on one host. */
export interface TopologyGroup {
  /** Stable id: the key of a lone guest, or `<tier>-<role>` for a set. */
  id: string;
  title: string;
  tier: Tier;
  members: TopologyMember[];
  /** Floating address shared by the members (keepalived), shown as a row of its own. */
  vip?: string;
}

export interface TopologyTier {
  /** Cluster id, unique per host. */
  id: string;
  tier: Tier;
  title: string;
  groups: TopologyGroup[];
}

export interface TopologyHost {
  name: string;
  address: string;
  cpuThreads: number;
  memoryGb: number;
  tiers: TopologyTier[];
}

/** A link end: a whole box, one guest row of a box, the VIP row, or a host. */
export type LinkEnd =
  { group: string; member?: string; vip?: boolean } | { host: string } | { network: string };

/** Traffic from one end to another on some ports: one drawn arrow. */
export interface TopologyLink {
  from: LinkEnd;
  to: LinkEnd;
  /** e.g. `3306` or `2049, 111` or `53 tcp+udp`. */
  ports: string;
  /** Why, from the wiring: `application database`. */
  purpose: string;
}

/** Metrics scraped by monitoring, collapsed to one arrow per tier cluster (or host). */
export interface MetricsLink {
  from: LinkEnd;
  /** Tier cluster id, or a host for the node exporter and PVE API. */
  to: { host: string; tier?: string };
  ports: string;
  /** Exporters scraped there (Prometheus job and port), by port. */
  jobs: { job: string; port: number }[];
}

export interface PublishedHostname {
  hostname: string;
  description: string;
  /** Behind Cloudflare Access (admins only). */
  admin: boolean;
  to: LinkEnd;
  port: number;
}

export interface TopologyTunnel {
  name: string;
  connectors: LinkEnd[];
  hostnames: PublishedHostname[];
}

/** A network that is not a guest (the site LAN, a CIDR from an extra rule). */
export interface TopologyNetwork {
  id: string;
  label: string;
  cidrs: string[];
}

/** What administrators may reach, listed on one note instead of an arrow per guest. */
export interface AdminAccess {
  cidrs: string[];
  /** `SSH 22 → every container`, `Grafana 3000 → monitoring`. */
  lines: string[];
}

export interface TopologyModel {
  title: string;
  subtitle: string;
  hosts: TopologyHost[];
  links: TopologyLink[];
  metrics: MetricsLink[];
  networks: TopologyNetwork[];
  tunnel?: TopologyTunnel;
  admin: AdminAccess;
}

/** Cluster titles; the order is the order clusters are drawn in. */
export const TIER_TITLES: Record<Tier, string> = {
  web: "Websites",
  moodle: "Moodle LMS",
  nextcloud: "Nextcloud",
  frappe: "ERPNext",
  "snipe-it": "Asset management",
  passbolt: "Password manager",
  "print-server": "Printing",
  "network-services": "DNS and tunnel",
  monitoring: "Monitoring",
  database: "Databases",
  redis: "Cache",
  "windows-gpu": "Workstation VM",
};
