/**
 * The school in a box (docs/box.md): every registered step runs in booted guests on the stack's
 * addresses with the registered firewall enforced, then a second run of every script, a changed
 * stack value re-run as the plan says, and the site and firewall checks. Needs root and the packages of
 * .ci/install-daemons.sh; elsewhere the tier is skipped and says why. Takes 6-10 minutes.
 */
import { cpus } from "node:os";
import { join } from "node:path";
import { whyBoxCannotRun } from "../../box/lib/capability";
import {
  changedValueProblems,
  changedValueRerun,
  schoolEdit,
  type ChangedValueReport,
} from "../../box/lib/changed-value";
import { runChecks, SCHOOL_CHECKS, type CheckResult } from "../../box/lib/checks";
import { figuresOf, writeFigures } from "../../box/lib/figures";
import {
  brokenSteps,
  expectSecondRunChangedNothing,
  repoRoot,
  runStackBox,
  type StackBoxRun,
} from "./support/stack-box";

const why = whyBoxCannotRun();
if (why) console.log(`box tests skipped: ${why}`);

(why ? describe.skip : describe)("the school in a box", () => {
  let run: StackBoxRun | undefined;
  let checks: CheckResult[] = [];
  let changed: ChangedValueReport | undefined;

  beforeAll(async () => {
    run = await runStackBox("school", {
      whileUp: async (box, config, log) => {
        changed = await changedValueRerun(box, repoRoot, schoolEdit(config.redis!.memoryMb));
        checks = await runChecks(box, config, SCHOOL_CHECKS, log);
      },
    });
    writeFigures(join(run.cacheDir, "figures-school.json"), figuresOf(run.report, cpus().length));
  }, 40 * 60_000);

  it("runs every registered step of the school", () => {
    expect(brokenSteps(run!.report)).toEqual([]);
  });

  it("changes nothing on a second run of every script (same files, no service restarted)", () => {
    expectSecondRunChangedNothing(run!.second, { rerun: 0, files: 1000, services: 10 });
  });

  it("re-runs only the steps the plan says when a stack value changes (redis.memoryMb), and nothing else changes", () => {
    expect(changed!.planRerun.length).toBeGreaterThan(0);
    expect(changed!.expectedFiles.length).toBeGreaterThan(0);
    expect(changedValueProblems(changed!)).toEqual([]);
  });

  it.each(SCHOOL_CHECKS.map((c) => c.name))("%s", (name) => {
    const result = checks.find((c) => c.name === name);
    expect(result).toBeDefined();
    // On failure the check's evidence is what the assertion prints.
    expect(result!.ok ? "ok" : `failed: ${result!.detail}`).toBe("ok");
  });
});
