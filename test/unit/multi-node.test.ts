import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { capacityByNode } from "../../config/capacity";
import { guestInventory } from "../../config/inventory";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { runUnderMocks, type MockRun } from "../../scripts/lib/mock-run";

const root = resolve(__dirname, "../..");

/** The school stack (four nodes) with its balancers and app nodes under Proxmox HA. */
function schoolWithHa(dir: string) {
  const doc = parse(readFileSync(join(root, "Pulumi.school.yaml"), "utf8"));
  const m = doc.config["proxmox-sites:moodle"];
  for (const guest of [...Object.values(m.nodes), ...Object.values(m.loadBalancers)] as Record<
    string,
    unknown
  >[])
    guest.ha = true;
  writeFileSync(join(dir, "Pulumi.school2.yaml"), stringify(doc));
  copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
}

describe("a stack on several Proxmox nodes", () => {
  let dir: string;
  let run: MockRun;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "proxmox-sites-multinode-"));
    schoolWithHa(dir);
    run = await runUnderMocks("school2", dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("places each guest on its node and downloads templates on each node that needs them", () => {
    const nodeOf = (name: string) =>
      run.resources.find(
        (r) => r.name === name && r.type === "proxmoxve:index/containerLegacy:ContainerLegacy",
      )!.inputs.nodeName;
    expect(["moodle-lb1", "moodle-lb2", "moodle-app1", "moodle-app2", "moodle-app3"].map(nodeOf)).toEqual([
      "pve-school",
      "pve-school2",
      "pve-school2",
      "pve-school3",
      "pve-school4",
    ]);
    const downloads = run.resources
      .filter((r) => r.type === "proxmoxve:download/file:File")
      .map((r) => r.inputs.nodeName);
    expect(new Set(downloads)).toEqual(new Set(["pve-school", "pve-school2", "pve-school3", "pve-school4"]));
  });

  it("puts guests marked ha under HA, each preferring its own node, balancers and app nodes kept apart", () => {
    const ha = run.resources
      .filter((r) => r.type === "proxmoxve:index/haresource:Haresource")
      .map((r) => r.inputs.resourceId);
    expect(ha.sort()).toEqual(["ct:200", "ct:201", "ct:210", "ct:211", "ct:212"]);
    const rules = run.resources.filter((r) => r.type === "proxmoxve:index/harule:Harule");
    const nodeRule = (sid: string) =>
      rules.find((r) => r.inputs.type === "node-affinity" && (r.inputs.resources as string[])[0] === sid)!
        .inputs;
    // One rule per guest: a shared rule preferring one node would gather the tier there.
    expect(nodeRule("ct:212")).toMatchObject({
      resources: ["ct:212"],
      nodes: { "pve-school": 1, "pve-school2": 1, "pve-school3": 1, "pve-school4": 2 },
      strict: false,
    });
    expect(nodeRule("ct:200").nodes).toEqual({
      "pve-school": 2,
      "pve-school2": 1,
      "pve-school3": 1,
      "pve-school4": 1,
    });
    const apart = rules
      .filter((r) => r.inputs.type === "resource-affinity")
      .map((r) => [r.inputs.affinity, r.inputs.resources]);
    expect(apart).toEqual([
      ["negative", ["ct:210", "ct:211", "ct:212"]],
      ["negative", ["ct:200", "ct:201"]],
    ]);
  });

  it("checks capacity per node", () => {
    const { config } = validateSiteConfig("school2", readStackFile(dir, "school2").values);
    const caps = capacityByNode(config, guestInventory(config));
    expect(caps.map((c) => [c.node, c.vcpus.allocated])).toEqual([
      ["pve-school", 14],
      // pve-school2 serves moodledata itself: no files guest's 2 vCPU there.
      ["pve-school2", 10],
      ["pve-school3", 12],
      ["pve-school4", 8],
    ]);
  });
});
