/**
 * Expected load per app node of each web cluster from the client's peak traffic (`traffic` keys), against
 * the per-node capacity the load-balancer benchmark measured, so an engineer can say in numbers whether
 * the nodes are there for throughput or for availability. Pure.
 */
import type { SiteConfig } from "./schema";

/**
 * One app node (nginx + php-fpm, 2 shared vCPUs) serving the generic web cluster's small PHP page
 * (a session in Redis per request) through HAProxy: `npx tsx bench/moodle-lb.ts --flavour web`, median
 * round, docs/BENCHMARKS.md. A real application's pages cost more: set `traffic.nodeCapacityRps`.
 */
export const BENCH_NODE_CAPACITY = { requestsPerSecond: 917, vcpus: 2 };

export interface ClusterTraffic {
  cluster: string;
  nodes: number;
  /** Peak requests per second: the stack's, or its busiest day's share in the busiest hour. */
  peakRps: number;
  /** Requests per second one node serves (measured or the stack's), scaled by the smallest node's vCPUs. */
  nodeCapacityRps: number;
  capacitySource: "benchmark" | "stack";
  perNodeRps: number;
  /** Per node with one node down (all nodes when there is only one). */
  perNodeRpsOneDown: number;
  utilisationPercent: number;
  utilisationOneDownPercent: number;
  /** Nodes the peak needs for throughput alone; the rest are for availability. */
  nodesForThroughput: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function clusterTraffic(site: SiteConfig): ClusterTraffic[] {
  const out: ClusterTraffic[] = [];
  for (const [cluster, c] of Object.entries(site.webClusters ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const t = c.traffic;
    if (!t || (t.peakRequestsPerSecond === undefined && t.peakRequestsPerDay === undefined)) continue;
    const peakRps = t.peakRequestsPerSecond ?? ((t.peakRequestsPerDay ?? 0) * t.peakHourShare) / 3600;
    const nodes = Object.values(c.nodes);
    const cores = Math.min(...nodes.map((n) => n.cores));
    const perTwoVcpus = t.nodeCapacityRps ?? BENCH_NODE_CAPACITY.requestsPerSecond;
    const nodeCapacityRps = (perTwoVcpus * cores) / BENCH_NODE_CAPACITY.vcpus;
    const perNodeRps = peakRps / nodes.length;
    const perNodeRpsOneDown = peakRps / Math.max(1, nodes.length - 1);
    out.push({
      cluster,
      nodes: nodes.length,
      peakRps: round1(peakRps),
      nodeCapacityRps: Math.round(nodeCapacityRps),
      capacitySource: t.nodeCapacityRps === undefined ? "benchmark" : "stack",
      perNodeRps: round1(perNodeRps),
      perNodeRpsOneDown: round1(perNodeRpsOneDown),
      utilisationPercent: round1((perNodeRps / nodeCapacityRps) * 100),
      utilisationOneDownPercent: round1((perNodeRpsOneDown / nodeCapacityRps) * 100),
      nodesForThroughput: Math.max(1, Math.ceil(peakRps / nodeCapacityRps)),
    });
  }
  return out;
}

/** The plan's section: one row per cluster with traffic keys. */
export function trafficMarkdown(rows: readonly ClusterTraffic[]): string[] {
  if (rows.length === 0) return [];
  return [
    "## Traffic against node capacity",
    "",
    "| Cluster | Peak req/s | Nodes | Per node (all up) | Per node (one down) | Node capacity req/s | Use (all up / one down) | Nodes for throughput | For availability |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.cluster} | ${r.peakRps} | ${r.nodes} | ${r.perNodeRps} | ${r.perNodeRpsOneDown} | ${r.nodeCapacityRps} (${r.capacitySource}) | ${r.utilisationPercent}% / ${r.utilisationOneDownPercent}% | ${r.nodesForThroughput} | ${Math.max(0, r.nodes - r.nodesForThroughput)} |`,
    ),
    "",
    "Node capacity from `bench/moodle-lb.ts --flavour web` (a small PHP page on 2 vCPUs, docs/BENCHMARKS.md) scaled by the smallest node's vCPUs, unless the stack sets `traffic.nodeCapacityRps` measured for its application.",
    "",
  ];
}
