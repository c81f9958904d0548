/**
 * The real Pulumi CLI previews every stack: the three in the repository and one scaffolded by
 * new-client for each profile. The CLI validates Pulumi.yaml and the stack's config against
 * the declared types, runs the program and asks each provider plugin to check and plan every
 * resource. Where a provider plugin is not built on this machine, the engine stops at the first
 * resource of that provider: the test then holds the preview to everything before that point
 * (config accepted, program running, the only errors being the plugins the build script could
 * not build) and counts the full comparison with the credential-free plan as skipped.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listStacks } from "../../scripts/lib/stacks";
import { loadProfile, PROFILES, scaffoldStack } from "../../scripts/lib/scaffold";
import { findEngine, repoRoot } from "./support/engine";
import { previewStack, type PreviewOutcome } from "./support/preview";

const { engine, reason } = findEngine();
const complete = engine !== undefined && engine.missing.length === 0;
if (!engine) console.warn(`engine tests skipped: ${reason}`);
else if (!complete)
  console.warn(
    `engine preview runs up to the first provider: ${engine.missing.map((m) => `pulumi-resource-${m.name} ${m.version}`).join(", ")} not built (scripts/engine/build.sh status)`,
  );

const withCli = engine ? describe : describe.skip;
const withPlugins = complete ? it : it.skip;

/** Stack files to preview: the repository's, then one per new-client profile. */
function stackTexts(): { stack: string; text?: string }[] {
  const own = listStacks(repoRoot).map((stack) => ({ stack }));
  const scaffolded = PROFILES.map((profile) => {
    const stack = `scaffold-${profile}`;
    return {
      stack,
      text: scaffoldStack({ name: stack, profile: loadProfile(repoRoot, profile), subnet: "192.168.0.0/24" })
        .text,
    };
  });
  return [...own, ...scaffolded];
}

/** The credential-free plan of the same stack file: counts by type and the warnings the program logs. */
function credentialFreePlan(
  stack: string,
  text?: string,
): { counts: Record<string, number>; warnings: string[] } {
  const args = ["tsx", "scripts/plan.ts", "--stack", stack, "--json"];
  if (text !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), "engine-plan-"));
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), text);
    args.push("--dir", dir);
  }
  const run = spawnSync("npx", args, { cwd: repoRoot, encoding: "utf8", timeout: 120_000 });
  if (run.status !== 0) throw new Error(`plan of ${stack} failed: ${run.stderr}`);
  const plan = JSON.parse(run.stdout) as { counts: Record<string, number> };
  const warnings = run.stderr
    .split("\n")
    .filter((l) => l.startsWith("warning: [runtime] "))
    .map((l) => l.slice("warning: [runtime] ".length).trim());
  return { counts: plan.counts, warnings };
}

function countByType(outcome: PreviewOutcome, op: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const step of outcome.steps)
    if (step.op === op && !step.type.startsWith("pulumi:")) counts[step.type] = (counts[step.type] ?? 0) + 1;
  return counts;
}

withCli("the real engine previews", () => {
  for (const { stack, text } of stackTexts()) {
    describe(stack, () => {
      let outcome: PreviewOutcome;
      beforeAll(async () => {
        outcome = await previewStack(stack, text);
      }, 300_000);

      it("is accepted by the CLI: Pulumi.yaml and the stack's config validate, and the program runs", () => {
        expect(outcome.cliError).toBeUndefined();
        const types = outcome.steps.map((s) => s.type);
        expect(types).toContain("pulumi:pulumi:Stack");
        expect(types).toContain("proxmox-sites:site:Site");
      });

      it("stops at nothing but a provider plugin this machine could not build", () => {
        const missing = new Set(engine!.missing.map((m) => m.name));
        const unexplained = outcome.errors.filter((message) => {
          const plugin = /no resource plugin 'pulumi-resource-([a-z0-9]+)'/.exec(message)?.[1];
          return !(plugin && missing.has(plugin));
        });
        expect(unexplained).toEqual([]);
      });

      withPlugins(
        "finishes with no error, no warning the program does not log itself, and the plan's counts",
        () => {
          const plan = credentialFreePlan(stack, text);
          expect(outcome.ok).toBe(true);
          expect(outcome.errors).toEqual([]);
          expect(outcome.warnings.filter((w) => !plan.warnings.some((own) => w.includes(own)))).toEqual([]);
          expect(countByType(outcome, "create")).toEqual(plan.counts);
        },
        300_000,
      );
    });
  }
});

withCli("the real CLI refuses a stack whose values do not match Pulumi.yaml", () => {
  const school = () => spawnSync("cat", [join(repoRoot, "Pulumi.school.yaml")], { encoding: "utf8" }).stdout;

  it.each([
    ["protectStateful", '"yes"', "boolean"],
    ["sshPublicKeys", "not-a-list", "array<string>"],
  ])(
    "%s: %s is refused as not a %s, naming the key",
    async (key, value, type) => {
      const text = school().replace(/^config:\n/m, `config:\n  proxmox-sites:${key}: ${value}\n`);
      const outcome = await previewStack("school", text);
      expect(outcome.ok).toBe(false);
      expect(outcome.cliError).toContain(`configuration key '${key}' must be of type '${type}'`);
    },
    120_000,
  );
});
