/**
 * What every stack's box test does before its assertions: the stack validated, the box locked for
 * this cache, every step run in booted guests (four at a time), the test's own work done while the
 * guests are up, everything torn down.
 */
import { resolve } from "node:path";
import { lockBox, runBox, type BoxReport, type RunningBox } from "../../../box/lib/box";
import { secondRunChanges } from "../../../box/lib/second-run";
import { Teardown } from "../../../box/lib/teardown";
import { boxCacheDir } from "../../../box/run-support";
import { readStackFile } from "../../../config/stack-file";
import type { SiteConfig } from "../../../config/schema";
import { validateSiteConfig } from "../../../config/validate";

export const repoRoot = resolve(__dirname, "../../..");

export interface StackBoxRun {
  report: BoxReport;
  /** The second run of every script, compared with the first. */
  second: Awaited<ReturnType<typeof secondRunChanges>>;
  cacheDir: string;
}

export async function runStackBox(
  stack: string,
  o: {
    tiers?: string[];
    /** After the second run, while the guests are still up. */
    whileUp?: (box: RunningBox, config: SiteConfig, log: (line: string) => void) => Promise<void>;
  } = {},
): Promise<StackBoxRun> {
  const file = readStackFile(repoRoot, stack);
  const { config } = validateSiteConfig(file.stack, file.values);
  const cacheDir = boxCacheDir();
  // The box's progress lines are not kept: each assertion prints its own evidence (a step's error, a
  // check's detail).
  const log = () => undefined;
  let second: StackBoxRun["second"] | undefined;
  const unlock = lockBox(cacheDir);
  try {
    const report = await runBox({
      file,
      teardown: new Teardown(),
      root: repoRoot,
      cacheDir,
      parallel: 4,
      ...(o.tiers ? { tiers: o.tiers } : {}),
      log,
      afterSteps: async (box) => {
        second = await secondRunChanges(box);
        await o.whileUp?.(box, config, log);
      },
    });
    // Not a failure (the box's own network, docs/box.md), but never silent: CI's output shows each one.
    for (const r of report.aptPathRetries)
      console.warn(
        `box: ${r.step} ran twice, its first run failed on the box's apt path:\n${r.firstFailure}`,
      );
    return { report, second: second!, cacheDir };
  } finally {
    unlock();
  }
}

/** The steps that did not succeed, each with its error. */
export const brokenSteps = (report: BoxReport): string[] =>
  report.steps.filter((s) => s.status !== "ok").map((s) => `${s.name}: ${s.error}`);

/** A second run of every script failed nowhere and changed nothing, over at least this much. */
export function expectSecondRunChangedNothing(
  second: StackBoxRun["second"],
  atLeast: { rerun: number; files: number; services: number },
): void {
  expect(second.failures).toEqual([]);
  expect(second.changes).toEqual([]);
  expect(second.rerun).toBeGreaterThan(atLeast.rerun);
  expect(second.watchedFiles).toBeGreaterThan(atLeast.files);
  expect(second.watchedServices).toBeGreaterThan(atLeast.services);
}
