import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { buildPlan, type Plan } from "../../scripts/lib/plan-build";
import { diffPlans, type StackDiff } from "../../scripts/lib/plan-diff";
import { renderDiffMarkdown } from "../../scripts/lib/plan-diff-markdown";

const ROOT = resolve(__dirname, "../..");
const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
const STACK = "school";
const NS = "proxmox-sites";

let scratch: string;
let base: Plan;

/** Writes a variant of the school stack file into its own directory and plans it there. */
async function planVariant(
  name: string,
  edit: (doc: ReturnType<typeof parseDocument>) => void,
): Promise<Plan> {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const doc = parseDocument(readFileSync(join(ROOT, `Pulumi.${STACK}.yaml`), "utf8"));
  edit(doc);
  writeFileSync(join(dir, `Pulumi.${STACK}.yaml`), doc.toString());
  return (await buildPlan(STACK, dir)).plan;
}

const replacedInfrastructure = (d: StackDiff) => d.replaced.map((r) => `${r.type} ${r.name}`);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "plan-diff-test-"));
  mkdirSync(join(scratch, "base"));
  copyFileSync(join(ROOT, `Pulumi.${STACK}.yaml`), join(scratch, "base", `Pulumi.${STACK}.yaml`));
  base = (await buildPlan(STACK, join(scratch, "base"))).plan;
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("plan diff of the school stack", () => {
  it("says no changes for a second plan of the same file, though every generated secret differs", async () => {
    const again = (await buildPlan(STACK, join(scratch, "base"))).plan;
    const d = diffPlans(STACK, base, again);
    expect(d.status).toBe("unchanged");
    expect(renderDiffMarkdown([{ stack: STACK, diff: d }], "HEAD")).toContain(`\`${STACK}\`: no changes`);
  }, 60_000);

  it("reports a bigger app node as changed in place, with the input path and the allocation row", async () => {
    const bigger = await planVariant("bigger", (doc) =>
      doc.setIn(["config", `${NS}:moodle`, "nodes", "app1", "cores"], 12),
    );
    const d = diffPlans(STACK, base, bigger);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(replacedInfrastructure(d)).toEqual([]);
    const container = d.changed.find((r) => r.type === CONTAINER && r.name === "moodle-app1");
    expect(container?.changes).toContainEqual(
      expect.objectContaining({ path: "cpu.cores", before: "8", after: "12", replaces: undefined }),
    );
    expect(d.allocation).toEqual([{ key: "moodle-app1", kind: "changed", details: ["cores: 8 → 12"] }]);
    const md = renderDiffMarkdown([{ stack: STACK, diff: d }], "base");
    expect(md).toContain("`cpu.cores`: 8 → 12");
  }, 60_000);

  it("reports an added Moodle node as that node's resources, nothing destroyed or replaced", async () => {
    const added = await planVariant("added", (doc) =>
      doc.setIn(["config", `${NS}:moodle`, "nodes", "app4"], {
        vmid: 213,
        hostname: "moodle-app4",
        ip: "10.10.0.34",
        cores: 4,
        memoryMb: 8192,
        diskGb: 32,
      }),
    );
    const d = diffPlans(STACK, base, added);
    expect(d.added.length).toBeGreaterThan(1);
    expect(d.added.filter((r) => !r.name.includes("moodle-app4"))).toEqual([]);
    expect(d.added.filter((r) => r.type === CONTAINER).map((r) => r.name)).toEqual(["moodle-app4"]);
    expect(d.removed).toEqual([]);
    expect(replacedInfrastructure(d)).toEqual([]);
    expect(d.ipPlan).toEqual([
      { key: "moodle-app4", kind: "added", details: ["10.10.0.34 moodle-app4 (VMID 213)"] },
    ]);
    // Existing containers are untouched; what changes in place is configuration (firewall, balancer, scrape list).
    expect(d.changed.filter((r) => r.type === CONTAINER)).toEqual([]);
  }, 60_000);

  it("reports a removed tier as its resources removed and its rows gone", async () => {
    const removed = await planVariant("removed", (doc) => {
      doc.deleteIn(["config", `${NS}:monitoring`]);
    });
    const d = diffPlans(STACK, base, removed);
    expect(d.added).toEqual([]);
    expect(replacedInfrastructure(d)).toEqual([]);
    const gone = d.removed.map((r) => `${r.type} ${r.name}`);
    expect(gone).toEqual(
      expect.arrayContaining([
        `${CONTAINER} monitoring`,
        "proxmox-sites:proxmox:LxcGuest monitoring",
        "proxmox-sites:ops:Monitoring monitoring",
      ]),
    );
    expect(d.ipPlan).toEqual([expect.objectContaining({ key: "monitoring", kind: "removed" })]);
    expect(d.allocation).toEqual([expect.objectContaining({ key: "monitoring", kind: "removed" })]);
    expect(d.published).toEqual([
      expect.objectContaining({ key: "grafana.school.example", kind: "removed" }),
    ]);
  }, 60_000);

  it("reports a stack that exists on one side only as added or removed whole", () => {
    const added = diffPlans(STACK, undefined, base);
    expect(added.status).toBe("added");
    expect(added.added).toHaveLength(base.resources.length);
    const removed = diffPlans(STACK, base, undefined);
    expect(removed.status).toBe("removed");
    expect(removed.removed).toHaveLength(base.resources.length);
    expect(removed.removed.filter((r) => r.protect).map((r) => r.name)).toEqual(
      expect.arrayContaining(["database-primary", "database-replica"]),
    );
  });
});
