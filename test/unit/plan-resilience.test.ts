import { buildPlan, type BuiltPlan } from "../../scripts/lib/plan-build";
import { planArtifacts } from "../../scripts/lib/plan-artifacts";

let school: BuiltPlan;
let files: Map<string, string>;
beforeAll(async () => {
  school = await buildPlan("school");
  files = new Map(await planArtifacts(school));
}, 60000);

describe("the plan's single points of failure", () => {
  it("plan.json says what each node's loss stops and what remains a single point, with its failover", () => {
    const doc = JSON.parse(files.get("plan.json")!) as typeof school.plan;
    expect(doc.resilience!.nodeFailures.map((f) => [f.node, f.breaks])).toEqual([
      ["pve-school", ["database-primary", "redis", "monitoring"]],
      ["pve-school2", ["moodle-shared-files"]],
      ["pve-school3", []],
      ["pve-school4", []],
    ]);
    const points = doc.resilience!.singlePoints.map((p) => p.service);
    expect(points).toEqual(expect.arrayContaining(["database-primary", "redis", "moodle-shared-files"]));
    // Balancers, app nodes and the tunnel (a connector on each balancer) survive any one node.
    for (const spread of ["moodle-balancers", "moodle-app-nodes", "tunnel-connectors"])
      expect(points).not.toContain(spread);
  });

  it("plan.md has the same as tables", () => {
    const md = files.get("plan.md")!;
    expect(md).toContain("## Failure of one Proxmox node");
    expect(md).toContain("| pve-school2 | moodle-shared-files |");
    expect(md).toContain("| pve-school4 | none |");
    expect(md).toMatch(
      /\| MariaDB primary \(every application's database\) \| database-primary \| pve-school \| the replica database-replica on pve-school3 [^|]*promoting it is manual/,
    );
  });
});
