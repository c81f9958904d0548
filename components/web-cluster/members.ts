/**
 * The guests of a load-balanced cluster (Moodle's, a web cluster's) as its planner needs them: balancers
 * and app nodes in sorted key order with their inventory rows, the node that runs cron, the PHP version
 * their template ships, and the addresses whose X-Forwarded-For the nodes trust. Pure: no Pulumi.
 */
import type { GuestPlan } from "../../config/inventory";
import type { ClusterMember } from "./front";

/** What a cluster's planner needs to know of a guest (from the site's inventory). */
export type ClusterGuest = Pick<GuestPlan, "key" | "ip" | "cores" | "memoryMb" | "template">;

/** A balancer or app node with its inventory row. */
export interface PlannedMember<G extends ClusterGuest> extends ClusterMember {
  plan: G;
}

/** The keys of a cluster's section (`moodle`, `webClusters.<name>`) that name its guests. */
export interface ClusterSection {
  loadBalancers: Readonly<Record<string, unknown>>;
  nodes: Readonly<Record<string, unknown>>;
  /** Node key that runs cron; default the first node key in sorted order. */
  cronNode?: string;
}

/** Where a cluster's guests are: its stack key (for errors), and their guest keys in the inventory. */
export interface ClusterGuests<G extends ClusterGuest> {
  /** Stack key of the section (moodle, webClusters.portal). */
  configPath: string;
  /** Guest key of a balancer or node key (moodle-lb1, portal-app2). */
  guestKey: (key: string) => string;
  /** The site's guests; every guest of the cluster must be among them. */
  guests: readonly G[];
}

export interface ClusterMembers<G extends ClusterGuest> {
  balancers: PlannedMember<G>[];
  nodes: PlannedMember<G>[];
  cronNode: string;
  /** PHP version of the app nodes' template (they must share one). */
  phpVersion: string;
}

/** PHP version of a template's packages (Moodle 4.5 needs 8.1 or later). */
export const phpVersionByTemplate: Readonly<Record<string, string>> = {
  "debian-12": "8.2",
  "ubuntu-22-04": "8.1",
};

/** The cluster's balancers and app nodes, its cron node and PHP version; throws on a key that is off. */
export function planClusterMembers<G extends ClusterGuest>(
  section: ClusterSection,
  input: ClusterGuests<G>,
): ClusterMembers<G> {
  const at = input.configPath;
  const member = (key: string): PlannedMember<G> => {
    const guest = input.guestKey(key);
    const plan = input.guests.find((g) => g.key === guest);
    if (!plan) throw new Error(`${at}: no guest "${guest}" in the site's inventory`);
    return { key, guest, ip: plan.ip, plan };
  };
  const balancers = Object.keys(section.loadBalancers).sort().map(member);
  const nodes = Object.keys(section.nodes).sort().map(member);
  if (nodes.length === 0) throw new Error(`${at}.nodes: needs at least one app node`);
  const cronNode = section.cronNode ?? nodes[0].key;
  if (!nodes.some((n) => n.key === cronNode))
    throw new Error(
      `${at}.cronNode: "${cronNode}" is not one of ${at}.nodes (${nodes.map((n) => n.key).join(", ")})`,
    );
  const versions = new Set(nodes.map((n) => phpVersionByTemplate[n.plan.template ?? "debian-12"] ?? "8.2"));
  if (versions.size > 1)
    throw new Error(`${at}.nodes: every app node needs the same template (PHP ${[...versions].join(", ")})`);
  return { balancers, nodes, cronNode, phpVersion: [...versions][0] };
}

/** Addresses whose X-Forwarded-For the app nodes trust: the balancers, the VIP, the tunnel's connectors. */
export function trustedProxyAddresses(
  balancers: readonly ClusterMember[],
  vip: string | undefined,
  tunnelConnectorIps: readonly string[] = [],
): string[] {
  return [
    ...new Set([...balancers.map((lb) => lb.ip), ...(vip ? [vip] : []), ...tunnelConnectorIps, "127.0.0.1"]),
  ];
}
