/**
 * The site in a box: every guest's provisioning runs in a booted Debian 12 guest on the site's own
 * addresses (docs/box.md).
 * Run (as root, on a machine that can boot systemd-nspawn guests):
 *   npm run box -- --stack school [--tiers T1,T2] [--parallel 4] [--checks] [--record] [--keep] [--no-firewall]
 *   npm run box -- --clean      (undo what a killed run left)
 * --checks runs the site checks and the second-run check after the steps; --record writes the
 * step times to bench/box-figures/<stack>.json (read by npm run bench:deploy); --tiers runs only
 * those tiers and what they wait for (box/lib/tiers.ts). The registered firewall is enforced
 * unless --no-firewall (diagnosis only: the report says so loudly).
 */
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readStackFile } from "../config/stack-file";
import { validateSiteConfig } from "../config/validate";
import { finish } from "../scripts/lib/exit";
import { cleanLeftovers, lockBox, runBox, type RunningBox } from "./lib/box";
import { changedValueProblems, changedValueRerun, schoolEdit } from "./lib/changed-value";
import { runChecks } from "./lib/checks";
import { siteChecks } from "./lib/checks-services";
import { figuresOf, figuresPath, writeFigures } from "./lib/figures";
import { secondRunChanges } from "./lib/second-run";
import { Teardown } from "./lib/teardown";
import { boxCacheDir } from "./run-support";

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    process.once("SIGINT", () => done());
    process.once("SIGTERM", () => done());
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      parallel: { type: "string", default: "4" },
      keep: { type: "boolean", default: false },
      clean: { type: "boolean", default: false },
      checks: { type: "boolean", default: false },
      record: { type: "boolean", default: false },
      tiers: { type: "string" },
      "no-firewall": { type: "boolean", default: false },
    },
  });
  const log = (line: string) => console.log(`[box ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const cacheDir = boxCacheDir();
  const unlock = lockBox(cacheDir);
  process.once("exit", unlock);
  if (values.clean) {
    await cleanLeftovers(cacheDir, log);
    return 0;
  }
  if (!values.stack) {
    console.error(
      "usage: npm run box -- --stack NAME [--tiers T1,T2] [--parallel N] [--checks] [--record] [--keep] [--no-firewall] | --clean",
    );
    return 2;
  }
  const parallel = Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) {
    console.error(`--parallel must be a positive integer, got ${values.parallel}`);
    return 2;
  }
  const root = resolve(__dirname, "..");
  const file = readStackFile(root, values.stack);
  const { config } = validateSiteConfig(file.stack, file.values);
  const teardown = new Teardown();
  const interrupted = async () => {
    log("interrupted: stopping the box");
    await teardown.runAll(log);
    process.exit(130);
  };
  if (!values.keep) {
    process.once("SIGINT", interrupted);
    process.once("SIGTERM", interrupted);
  }
  // Whatever breaks, the box does not stay behind.
  process.once("uncaughtException", (err) => {
    console.error(err);
    void interrupted();
  });
  let checksFailed = 0;
  const afterSteps = async (box: RunningBox) => {
    if (!values.checks) return;
    const second = await secondRunChanges(box);
    log(
      `second run of ${second.rerun} commands: ${second.changes.length} changes, ${second.failures.length} failures (compared ${second.watchedFiles} files, ${second.watchedServices} running services)`,
    );
    for (const line of [...second.failures, ...second.changes]) log(`  ${line}`);
    if (second.changes.length + second.failures.length > 0) checksFailed++;
    if (config.moodle && config.redis) {
      const changed = await changedValueRerun(box, root, schoolEdit(config.redis.memoryMb));
      const problems = changedValueProblems(changed);
      log(
        `changed value ${changed.edit}: the plan re-runs ${changed.planRerun.join(", ") || "nothing"}${changed.planOther.length ? ` (and: ${changed.planOther.join("; ")})` : ""}; changed ${changed.changedFiles.join(", ") || "no file"}; restarted ${changed.restarted.join(", ") || "nothing"}`,
      );
      for (const p of problems) log(`  ${p}`);
      if (problems.length > 0) checksFailed++;
    }
    const results = await runChecks(box, config, siteChecks(config, box.plan), log);
    checksFailed += results.filter((r) => !r.ok).length;
  };
  const report = await runBox({
    file,
    teardown,
    root,
    cacheDir,
    parallel,
    firewall: values["no-firewall"] ? false : undefined,
    afterSteps,
    tiers: values.tiers?.split(",").map((t) => t.trim()),
    hold: values.keep ? untilSignal : undefined,
    log,
  });
  for (const s of report.steps) {
    log(
      `${s.status.padEnd(7)} ${s.seconds.toFixed(1).padStart(6)} s  ${s.name}${s.error ? `  ${s.error.split("\n")[0]}` : ""}`,
    );
  }
  for (const s of report.standIns) log(`stand-in: ${s.what}: ${s.how}`);
  if (report.selection) {
    const { tiers, leftOut, pulledIn } = report.selection;
    log(
      `tiers run: ${tiers.join(", ")}${pulledIn.length ? ` (pulled in as dependencies: ${pulledIn.join(", ")})` : ""}`,
    );
    for (const s of leftOut) log(`left out: ${s.name} (${s.tiers.join(", ") || "outside the site's tiers"})`);
  }
  const figures = figuresOf(report, cpus().length);
  writeFigures(join(cacheDir, `figures-${report.stack}.json`), figures);
  if (values.record) {
    writeFigures(figuresPath(root, report.stack), figures);
    log(`step times recorded in ${figuresPath(root, report.stack)}`);
  }
  if (values["no-firewall"])
    log("WARNING: this run did NOT enforce the registered firewall (--no-firewall): diagnosis only");
  log(
    `${report.ok ? "all steps succeeded" : "some steps failed"}: setup ${report.setupSeconds.toFixed(0)} s, steps ${report.stepsSeconds.toFixed(0)} s (apt cache ${report.aptCache})${values.checks ? `, ${checksFailed} checks failed` : ""}`,
  );
  return report.ok && checksFailed === 0 ? 0 : 1;
}

finish(main());
