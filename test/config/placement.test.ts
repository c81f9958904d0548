import fc from "fast-check";
import { singleNodeFailures, survives, type ClusterService } from "../../config/failure-domains";
import { guestInventory } from "../../config/inventory";
import { siteResilience } from "../../config/resilience";
import { validateSiteConfig } from "../../config/validate";
import { problemsOf, stackValues, type Raw } from "./fixtures/validation";

const school = () => stackValues("school");

describe("which single node failure breaks which service", () => {
  const nodeNames = ["n1", "n2", "n3", "n4", "n5"];
  const services = fc.array(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 6 }),
      members: fc.array(
        fc.record({ key: fc.string({ minLength: 1, maxLength: 4 }), node: fc.constantFrom(...nodeNames) }),
        { maxLength: 5 },
      ),
    }),
    { maxLength: 6 },
  );

  it("a node breaks exactly the services whose every member runs on it", () => {
    fc.assert(
      fc.property(services, (svcs: ClusterService[]) => {
        const failures = singleNodeFailures(nodeNames, svcs);
        expect(failures.map((f) => f.node)).toEqual(nodeNames);
        for (const f of failures) {
          const expected = svcs.filter(
            (s) => s.members.length > 0 && s.members.every((m) => m.node === f.node),
          );
          expect(f.breaks).toEqual(expected.map((s) => s.id));
        }
      }),
    );
  });

  it("a service spread over two or more nodes survives any single failure; one on a single node does not", () => {
    fc.assert(
      fc.property(services, (svcs: ClusterService[]) => {
        for (const s of svcs) {
          const spread = new Set(s.members.map((m) => m.node)).size;
          const brokenBy = singleNodeFailures(nodeNames, [s]).filter((f) => f.breaks.length > 0).length;
          expect(brokenBy).toBe(spread === 1 ? 1 : 0);
          for (const n of nodeNames) expect(survives(s, n)).toBe(s.members.some((m) => m.node !== n));
        }
      }),
    );
  });
});

describe("the school on four nodes", () => {
  const { config } = validateSiteConfig("school", school());
  const resilience = siteResilience(config, guestInventory(config));

  it("losing any one node leaves a balancer and an app node; what each loss stops is listed", () => {
    expect(resilience.nodeFailures).toEqual([
      { node: "pve-school", breaks: ["database-primary", "redis", "monitoring"] },
      { node: "pve-school2", breaks: ["moodle-shared-files"] },
      { node: "pve-school3", breaks: [] },
      { node: "pve-school4", breaks: [] },
    ]);
  });

  it("lists the single points of failure that remain, with the failover each has", () => {
    const points = Object.fromEntries(resilience.singlePoints.map((p) => [p.service, p]));
    expect(Object.keys(points)).toEqual(["database-primary", "redis", "moodle-shared-files", "monitoring"]);
    expect(points["database-primary"].failover).toContain("promoting it is manual");
    expect(points["database-primary"].failover).toContain("database-replica on pve-school3");
    expect(points.redis.failover).toContain("no replica");
    // Served by the node pve-school2 itself: named by node and directory, not by a guest.
    expect(points["moodle-shared-files"]).toMatchObject({
      guests: ["pve-school2:/srv/moodledata"],
      nodes: ["pve-school2"],
    });
    expect(points["moodle-shared-files"].failover).toContain("one NFS server, the node pve-school2");
    expect(points["moodle-shared-files"].failover).toContain("outside vzdump");
  });
});

describe("placement of the Moodle cluster is checked at validation", () => {
  it("refuses two balancers on one node, naming both keys", () => {
    const raw = school();
    delete raw.moodle.loadBalancers.lb2.node;
    expect(problemsOf(raw)).toEqual([
      "moodle.loadBalancers.lb2.node: runs on pve-school like moodle.loadBalancers.lb1: losing that node stops both balancers; place them on different nodes",
    ]);
  });

  it("refuses every app node on one node", () => {
    const raw = school();
    for (const k of ["app1", "app2", "app3"]) raw.moodle.nodes[k].node = "pve-school3";
    expect(problemsOf(raw)).toEqual([
      "moodle.nodes: every app node (app1, app2, app3) runs on pve-school3: losing it stops Moodle; spread them over the nodes",
    ]);
  });

  it("refuses a cluster where losing one node leaves no balancer", () => {
    const raw = school();
    delete raw.moodle.loadBalancers.lb2;
    delete raw.moodle.vip;
    raw.tunnel.connectorGuests = ["moodle-lb1"];
    expect(problemsOf(raw)).toEqual([
      "moodle.loadBalancers: losing pve-school leaves no balancer (lb1); add one on another node",
    ]);
  });

  it("leaves a single-node stack alone: the plan lists its node as the single point of failure", () => {
    const raw = school();
    raw.proxmox.nodes = raw.proxmox.nodes.slice(0, 1);
    for (const g of [raw.database.replica, raw.moodle.loadBalancers.lb2, ...Object.values(raw.moodle.nodes)])
      delete (g as Raw).node;
    raw.moodle.sharedFiles.node = "pve-school";
    raw.proxmox.nodes[0].cpuThreads = 48;
    raw.proxmox.nodes[0].memoryGb = 128;
    expect(problemsOf(raw)).toEqual([]);
    const { config } = validateSiteConfig("case", raw);
    const points = siteResilience(config, guestInventory(config)).singlePoints;
    expect(points[0]).toMatchObject({ service: "proxmox-node", nodes: ["pve-school"] });
    expect(points.map((p) => p.service)).toContain("moodle-balancers");
  });
});
