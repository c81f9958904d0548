import fc from "fast-check";
import {
  hiddenWaits,
  longestPath,
  topologicalOrder,
  type DagEdge,
  type DagNode,
} from "../../bench/lib/critical-path";
import { dependencyEdges, guestOf, needlessWaits, tierOf } from "../../bench/lib/deploy-graph";
import { latencyOf } from "../../bench/lib/deploy-latency";
import type { SimResource } from "../../bench/lib/deploy-sim";

/** A random DAG: latencies, and edges that only go from a lower to a higher index (so acyclic). */
const dag = fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }).chain((latencies) =>
  fc
    .array(fc.tuple(fc.nat(latencies.length - 1), fc.nat(latencies.length - 1)), { maxLength: 30 })
    .map((pairs) => ({
      nodes: latencies.map((latency, i) => ({ id: `n${i}`, latency })) as DagNode[],
      edges: pairs
        .filter(([a, b]) => a !== b)
        .map(([a, b]) => ({ from: `n${Math.min(a, b)}`, to: `n${Math.max(a, b)}` })) as DagEdge[],
    })),
);

/** Every path's length by brute force: the longest is the bound. */
function bruteForce(nodes: DagNode[], edges: DagEdge[]): number {
  const lat = new Map(nodes.map((n) => [n.id, n.latency]));
  const longestFrom = (id: string): number =>
    lat.get(id)! + Math.max(0, ...edges.filter((e) => e.from === id).map((e) => longestFrom(e.to)));
  return Math.max(...nodes.map((n) => longestFrom(n.id)));
}

const sum = (nodes: DagNode[]) => nodes.reduce((s, n) => s + n.latency, 0);

describe("longestPath", () => {
  it("is at least the largest single latency and at most the sum of all", () => {
    fc.assert(
      fc.property(dag, ({ nodes, edges }) => {
        const { length } = longestPath(nodes, edges);
        expect(length).toBeGreaterThanOrEqual(Math.max(...nodes.map((n) => n.latency)));
        expect(length).toBeLessThanOrEqual(sum(nodes));
      }),
    );
  });

  it("never gets shorter when an edge is added", () => {
    fc.assert(
      fc.property(dag, fc.nat(), fc.nat(), ({ nodes, edges }, i, j) => {
        const [a, b] = [i % nodes.length, j % nodes.length];
        fc.pre(a !== b);
        const extra = { from: `n${Math.min(a, b)}`, to: `n${Math.max(a, b)}` };
        expect(longestPath(nodes, [...edges, extra]).length).toBeGreaterThanOrEqual(
          longestPath(nodes, edges).length,
        );
      }),
    );
  });

  it("equals the longest chain found by brute force", () => {
    fc.assert(
      fc.property(dag, ({ nodes, edges }) => {
        expect(longestPath(nodes, edges).length).toBe(bruteForce(nodes, edges));
      }),
    );
  });

  it("reports a path that is a real chain of edges whose latencies add up to the bound", () => {
    fc.assert(
      fc.property(dag, ({ nodes, edges }) => {
        const { length, path } = longestPath(nodes, edges);
        const lat = new Map(nodes.map((n) => [n.id, n.latency]));
        for (let k = 1; k < path.length; k++)
          expect(edges.some((e) => e.from === path[k - 1] && e.to === path[k])).toBe(true);
        expect(path.reduce((s, id) => s + lat.get(id)!, 0)).toBe(length);
      }),
    );
  });

  it("schedules every resource after everything it waits for", () => {
    fc.assert(
      fc.property(dag, ({ nodes, edges }) => {
        const { start, finish } = longestPath(nodes, edges);
        for (const e of edges) expect(start.get(e.to)!).toBeGreaterThanOrEqual(finish.get(e.from)!);
        for (const n of nodes) expect(finish.get(n.id)! - start.get(n.id)!).toBe(n.latency);
      }),
    );
  });

  it("without edges is the largest latency; a chain is the sum", () => {
    const nodes = [30, 5, 12].map((latency, i) => ({ id: `n${i}`, latency }));
    expect(longestPath(nodes, []).length).toBe(30);
    const chain = longestPath(nodes, [
      { from: "n0", to: "n1" },
      { from: "n1", to: "n2" },
    ]);
    expect(chain.length).toBe(47);
    expect(chain.path).toEqual(["n0", "n1", "n2"]);
  });

  it("rejects a cycle, an unknown node and a negative latency", () => {
    const nodes = [
      { id: "a", latency: 1 },
      { id: "b", latency: 1 },
    ];
    expect(() =>
      topologicalOrder(nodes, [
        { from: "a", to: "b" },
        { from: "b", to: "a" },
      ]),
    ).toThrow(/cycle/);
    expect(() => longestPath(nodes, [{ from: "a", to: "c" }])).toThrow(/unknown node c/);
    expect(() => longestPath([{ id: "a", latency: -1 }], [])).toThrow(/bad latency/);
  });
});

describe("hiddenWaits", () => {
  const nodes = ["a", "b", "c"].map((id) => ({ id, latency: 10 }));
  const edges = [
    { from: "a", to: "b" },
    { from: "a", to: "c" },
  ];

  it("finds a resource that started well after what it waits for had finished", () => {
    const timing = new Map([
      ["a", { start: 0, end: 10 }],
      ["b", { start: 10.5, end: 20.5 }],
      ["c", { start: 25, end: 35 }],
    ]);
    expect(hiddenWaits(nodes, edges, timing, 1)).toEqual([{ id: "c", wait: 15 }]);
  });

  it("finds nothing in the earliest-start schedule", () => {
    fc.assert(
      fc.property(dag, ({ nodes, edges }) => {
        const { start, finish } = longestPath(nodes, edges);
        const timing = new Map(nodes.map((n) => [n.id, { start: start.get(n.id)!, end: finish.get(n.id)! }]));
        expect(hiddenWaits(nodes, edges, timing, 0)).toEqual([]);
      }),
    );
  });
});

/** A recorded resource with what the tests need; the rest defaulted. */
function res(urn: string, type: string, more: Partial<SimResource> = {}): SimResource {
  return {
    urn,
    type,
    name: urn,
    custom: !type.startsWith("proxmox-sites:") && type !== "pulumi:pulumi:Stack",
    providers: [],
    dependencies: [],
    inputDependencies: [],
    inputs: {},
    latencySeconds: 0,
    knownLatency: true,
    startMs: 0,
    endMs: 0,
    ...more,
  };
}

describe("the site's dependency graph", () => {
  const CMD = "command:remote:Command";
  const CT = "proxmoxve:index/containerLegacy:ContainerLegacy";
  const resources = [
    res("site", "proxmox-sites:site:Site"),
    res("db", "proxmox-sites:data:MariaDbCluster", { parent: "site" }),
    res("cache", "proxmox-sites:data:RedisCache", { parent: "site" }),
    res("app", "proxmox-sites:apps:SnipeIt", { parent: "site" }),
    res("provider", "pulumi:providers:proxmoxve", { parent: "site" }),
    res("db-ct", CT, { parent: "db", providers: ["provider"], inputs: { vmId: 100 } }),
    res("db-pw", "random:index/randomPassword:RandomPassword", { parent: "db" }),
    res("db-sql", CMD, {
      parent: "db",
      dependencies: ["db-ct", "db-pw"],
      inputDependencies: ["db-pw"],
      inputs: { create: "pct exec 100 -- bash -s" },
    }),
    res("cache-ct", CT, { parent: "cache", providers: ["provider"], inputs: { vmId: 102 } }),
    res("app-ct", CT, { parent: "app", providers: ["provider"], inputs: { vmId: 501 } }),
    res("app-install", CMD, {
      parent: "app",
      dependencies: ["app-ct", "db-sql", "cache-ct", "db-pw"],
      inputDependencies: ["db-pw"],
      inputs: { create: "pct exec 501 -- bash -s" },
    }),
  ];
  const vmids = new Map([
    [100, "database-primary"],
    [102, "redis"],
    [501, "snipe-it"],
  ]);
  const wiring = [
    {
      from: { guest: "snipe-it" },
      to: "database-primary",
      port: 3306,
      protocol: "tcp" as const,
      purpose: "db",
    },
  ];

  it("tells data inputs from explicit waits, and keeps parents and providers", () => {
    const kinds = new Map(dependencyEdges(resources).map((e) => [`${e.from}>${e.to}`, e.kinds]));
    expect(kinds.get("db-pw>app-install")).toEqual(["input"]);
    expect(kinds.get("db-sql>app-install")).toEqual(["dependsOn"]);
    expect(kinds.get("provider>db-ct")).toEqual(["provider"]);
    expect(kinds.get("app>app-install")).toEqual(["parent"]);
  });

  it("puts each resource in the tier under the Site, providers in the site's own", () => {
    const tiers = tierOf(resources);
    expect(tiers.get("db-sql")).toBe("db");
    expect(tiers.get("app-install")).toBe("app");
    expect(tiers.get("provider")).toBe("site");
  });

  it("finds the guest of containers and commands from their VMID", () => {
    const guests = guestOf(resources, vmids);
    expect(guests.get("db-sql")).toBe("database-primary");
    expect(guests.get("app-install")).toBe("snipe-it");
    expect(guests.has("db-pw")).toBe(false);
  });

  it("flags an explicit wait on a guest the waiting guest never connects to, and only that", () => {
    const found = needlessWaits(dependencyEdges(resources), guestOf(resources, vmids), wiring);
    expect(found).toEqual([{ from: "cache-ct", to: "app-install", fromGuest: "redis", toGuest: "snipe-it" }]);
  });
});

describe("latencies", () => {
  it("are zero for components, known for the types a site uses, and refined for command roles", () => {
    expect(latencyOf("proxmox-sites:apps:Nextcloud", false).seconds).toBe(0);
    expect(latencyOf("proxmoxve:index/containerLegacy:ContainerLegacy", true).known).toBe(true);
    expect(latencyOf("command:remote:Command", true, "database-primary-databases").seconds).toBeLessThan(
      latencyOf("command:remote:Command", true, "nextcloud-bowbo-install").seconds,
    );
    expect(latencyOf("example:index:Unknown", true).known).toBe(false);
  });
});
