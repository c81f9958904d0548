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

/** The school stack on a two-node cluster, app nodes under HA and app2 on the second node. */
function twoNodeSchool(dir: string) {
  const doc = parse(readFileSync(join(root, "Pulumi.school.yaml"), "utf8"));
  const cfg = doc.config;
  cfg["proxmox-sites:proxmox"].nodes.push({
    name: "pve-school2",
    address: "10.10.0.3",
    cpuVendor: "intel",
    cpuThreads: 48,
    memoryGb: 128,
  });
  for (const node of Object.values(cfg["proxmox-sites:moodle"].nodes) as Record<string, unknown>[])
    node.ha = true;
  cfg["proxmox-sites:moodle"].nodes.app2.node = "pve-school2";
  writeFileSync(join(dir, "Pulumi.school2.yaml"), stringify(doc));
  copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
}

describe("a stack on several Proxmox nodes", () => {
  let dir: string;
  let run: MockRun;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "proxmox-sites-multinode-"));
    twoNodeSchool(dir);
    run = await runUnderMocks("school2", dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("places each guest on its node and downloads templates on each node that needs them", () => {
    const app2 = run.resources.find(
      (r) => r.name === "moodle-app2" && r.type === "proxmoxve:index/containerLegacy:ContainerLegacy",
    )!;
    expect(app2.inputs.nodeName).toBe("pve-school2");
    const downloads = run.resources
      .filter((r) => r.type === "proxmoxve:download/file:File")
      .map((r) => r.inputs.nodeName);
    expect(new Set(downloads)).toEqual(new Set(["pve-school", "pve-school2"]));
  });

  it("puts guests marked ha under Proxmox HA with a node rule for their tier", () => {
    const ha = run.resources
      .filter((r) => r.type === "proxmoxve:index/haresource:Haresource")
      .map((r) => r.inputs.resourceId);
    expect(ha.sort()).toEqual(["ct:210", "ct:211", "ct:212"]);
    const rules = run.resources.filter((r) => r.type === "proxmoxve:index/harule:Harule");
    expect(rules).toHaveLength(1);
    expect(rules[0].inputs).toMatchObject({
      type: "node-affinity",
      resources: ["ct:210", "ct:211", "ct:212"],
    });
  });

  it("checks capacity per node", () => {
    const { config } = validateSiteConfig("school2", readStackFile(dir, "school2").values);
    const caps = capacityByNode(config, guestInventory(config));
    expect(caps.map((c) => [c.node, c.vcpus.allocated])).toEqual([
      ["pve-school", 38],
      ["pve-school2", 8],
    ]);
  });
});
