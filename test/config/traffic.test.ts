import { clusterTraffic, BENCH_NODE_CAPACITY, trafficMarkdown } from "../../config/traffic";
import type { SiteConfig } from "../../config/schema";
import { webClusterSchema } from "../../config/web-cluster-schema";

const guest = (vmid: number, cores: number) => ({
  vmid,
  hostname: `g${vmid}`,
  ip: `10.0.0.${vmid - 90}`,
  cores,
  memoryMb: 2048,
});

function siteWith(traffic: Record<string, unknown>, nodes = 3, cores = 2): SiteConfig {
  const cluster = webClusterSchema.parse({
    publicHostname: "portal.example.com",
    loadBalancers: { lb1: guest(100, 1) },
    nodes: Object.fromEntries(
      Array.from({ length: nodes }, (_, i) => [`app${i + 1}`, guest(101 + i, cores)]),
    ),
    source: { git: "https://git.example.com/portal.git", ref: "main" },
    runtime: { kind: "php" },
    sharedStorage: { server: "10.0.0.5", export: "/srv/portal" },
    traffic,
  });
  return { webClusters: { portal: cluster } } as unknown as SiteConfig;
}

test("a busy day becomes peak requests per second, per node with all up and with one down", () => {
  const [t] = clusterTraffic(siteWith({ peakRequestsPerDay: 2_400_000 }));
  // 2.4 M requests, 15 % in the busiest hour: 100 req/s, 33.3 per node, 50 with one node down.
  expect(t).toMatchObject({ peakRps: 100, nodes: 3, perNodeRps: 33.3, perNodeRpsOneDown: 50 });
  expect(t.nodeCapacityRps).toBe(BENCH_NODE_CAPACITY.requestsPerSecond);
  expect(t.capacitySource).toBe("benchmark");
  expect(t.nodesForThroughput).toBe(1);
});

test("capacity measured for the application: nodes needed for throughput, the rest for availability", () => {
  const [t] = clusterTraffic(siteWith({ peakRequestsPerSecond: 250, nodeCapacityRps: 100 }, 3, 4));
  // 4 vCPU nodes serve twice the 2-vCPU figure: 200 req/s each.
  expect(t).toMatchObject({ nodeCapacityRps: 200, capacitySource: "stack", nodesForThroughput: 2 });
  expect(t.utilisationOneDownPercent).toBe(62.5);
  expect(trafficMarkdown([t]).join("\n")).toContain(
    "| portal | 250 | 3 | 83.3 | 125 | 200 (stack) | 41.7% / 62.5% | 2 | 1 |",
  );
});

test("no traffic keys, no row", () => {
  expect(clusterTraffic(siteWith({}))).toEqual([]);
});
