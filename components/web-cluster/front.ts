/**
 * The front of a load-balanced cluster: each balancer's HAProxy config (every app node behind it, the
 * health check, a node's share of connections) and, with two balancers, keepalived holding the floating
 * address. Shared by the generic web cluster and its Moodle flavour. Pure: no Pulumi.
 */
import type { BalancerScriptInput } from "./balancer-script";
import type { KeepalivedInput } from "./keepalived";

/** A guest of the cluster as the planner needs it: its stack key, guest key and address. */
export interface ClusterMember {
  key: string;
  guest: string;
  ip: string;
}

export interface BalancerPlan {
  /** Stack key (lb1). */
  key: string;
  /** Guest key (moodle-lb1, portal-lb1). */
  guest: string;
  input: BalancerScriptInput;
}

export interface FrontInput {
  /** Balancers in sorted key order; the first is the VRRP primary unless `primary` names another. */
  balancers: readonly ClusterMember[];
  /** App nodes in sorted key order. */
  nodes: readonly ClusterMember[];
  /** Key of the balancer keepalived makes MASTER; default the first. */
  primary?: string;
  /** Floating address; required with two balancers, refused with one. */
  vip?: string;
  /** Prefix length of the site network (the VIP's). */
  prefixLength: number;
  /** Port nginx listens on in every app node, and HAProxy's frontend port. */
  port: number;
  healthCheck: { uri: string; host: string };
  /** Concurrent requests per node (its php-fpm workers); more wait in HAProxy's queue. */
  maxConnPerNode?: number;
  stats: { port: number };
  metrics: { port: number };
  /**
   * Names in the rendered files (frontend, VRRP instance, staging paths) and what they call the app;
   * absent for Moodle, whose files keep the names they always had.
   */
  naming?: { name: string; label: string };
  /** Stack key of the section, for errors (moodle, webClusters.portal). */
  configPath: string;
}

/**
 * VRRP router id of the VIP: its last octet (readable, and unique on a /24 with one VIP per address),
 * or a digest of the address when the last octet is 0.
 */
export function virtualRouterId(vip: string): number {
  const octets = vip.split(".").map(Number);
  const last = octets[3];
  if (last >= 1 && last <= 255) return last;
  return 1 + (octets.reduce((sum, o, i) => sum + o * (i + 1), 0) % 255);
}

/** The balancers' script inputs. */
export function planFront(input: FrontInput): BalancerPlan[] {
  const lbs = input.balancers;
  const clustered = lbs.length >= 2;
  if (clustered && !input.vip)
    throw new Error(`${input.configPath}.vip: required with two or more load balancers`);
  if (!clustered && input.vip)
    throw new Error(
      `${input.configPath}.vip: ${input.vip} needs a second load balancer to hold it (keepalived)`,
    );
  const backendNodes = input.nodes.map((n) => ({ name: n.key, address: n.ip, port: input.port }));
  const naming = input.naming;
  return lbs.map(({ key, guest, ip }) => {
    const keepalived: KeepalivedInput | undefined = clustered
      ? {
          ...(naming ? { name: naming.name.replace(/-/g, "_"), label: naming.label } : {}),
          balancers: lbs.map((lb) => ({ name: lb.key, address: lb.ip })),
          self: key,
          primary: input.primary ?? lbs[0].key,
          vip: input.vip!,
          vipPrefixLength: input.prefixLength,
          virtualRouterId: virtualRouterId(input.vip!),
        }
      : undefined;
    return {
      key,
      guest,
      input: {
        ...(naming ? { tier: naming } : {}),
        haproxy: {
          ...(naming ? { name: naming.name.replace(/-/g, "_"), label: naming.label } : {}),
          nodes: backendNodes,
          frontend: { address: ip, port: input.port },
          vip: clustered ? input.vip : undefined,
          healthCheck: input.healthCheck,
          maxConnPerNode: input.maxConnPerNode,
          // On every address, so the stats page answers on the VIP (statsHostname) and on each balancer.
          stats: { address: "0.0.0.0", port: input.stats.port, user: "admin" },
          // Scraped by the monitoring guest (the firewall admits only it).
          metrics: { address: ip, port: input.metrics.port },
        },
        keepalived,
      },
    };
  });
}
