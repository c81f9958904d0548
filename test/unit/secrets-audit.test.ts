import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planArtifacts } from "../../scripts/lib/plan-artifacts";
import { buildPlan } from "../../scripts/lib/plan-build";
import { runUnderMocks } from "../../scripts/lib/mock-run";

describe.each(["prod", "staging", "school"])("secrets audit of %s", (stack) => {
  it("finds no generated secret in an unmarked input or a stack output", async () => {
    const run = await runUnderMocks(stack);
    expect(run.generatedSecrets.size).toBeGreaterThan(5);
    const shown = JSON.stringify(run.resources.map((r) => r.inputs)) + JSON.stringify(run.outputs);
    const leaked = [...run.generatedSecrets].filter((s) => shown.includes(s));
    expect(leaked).toEqual([]);
  });

  it("finds no generated secret in any file `npm run plan -- --out` writes", async () => {
    const built = await buildPlan(stack);
    const dir = mkdtempSync(join(tmpdir(), "proxmox-sites-audit-"));
    try {
      for (const [name, text] of await planArtifacts(built)) writeFileSync(join(dir, name), text);
      const files = readdirSync(dir);
      expect(files.sort()).toEqual(["plan.json", "plan.md", "topology.dot", "topology.svg"]);
      for (const file of files) {
        const text = readFileSync(join(dir, file), "utf8");
        const leaked = [...built.generatedSecrets].filter((s) => text.includes(s));
        expect({ file, leaked }).toEqual({ file, leaked: [] });
      }
      expect(readFileSync(join(dir, "plan.json"), "utf8")).toContain("[secret]");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
