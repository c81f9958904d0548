/**
 * "A changed stack value re-runs only the steps the plan says": after the main run, one stack value
 * changes; the plan's diff (the `npm run plan:diff` machinery: buildPlan of both stack files,
 * diffPlans) names the commands Pulumi would re-run; the box's own plan of the changed file must
 * change exactly those commands' inputs; re-running them must succeed and change, in the whole box,
 * only the files their scripts render differently (on their own guests) and restart services only
 * there. Then the original commands run again and the box is as before.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { PROJECT, readStackFile } from "../../config/stack-file";
import { buildPlan } from "../../scripts/lib/plan-build";
import { diffPlans } from "../../scripts/lib/plan-diff";
import type { RunningBox } from "./box";
import type { BoxCommand, BoxPlan } from "./collect";
import { snapshot, snapshotTargets, type Snapshot } from "./second-run";

/** One stack value to change: its key path under the project namespace and the new value. */
export interface StackEdit {
  path: string[];
  value: unknown;
}

export interface ChangedValueReport {
  /** `redis.memoryMb: 4096 → 5120`. */
  edit: string;
  /** Commands the plan's diff says re-run (their triggers changed). */
  planRerun: string[];
  /** Other resources the plan's diff names (updated in place, replaced, added, removed). */
  planOther: string[];
  /** Commands whose registered command line or stdin changed in the box's plan. */
  inputsChanged: string[];
  /** Re-run steps that did not succeed in the main run: the check cannot run them. */
  blocked: string[];
  failures: string[];
  /** `<guest>: <path>` the re-run scripts render differently. */
  expectedFiles: string[];
  /** Files that changed and services that restarted, by target. */
  changedFiles: string[];
  restarted: string[];
  /** Changes outside the expected files, or restarts outside the re-run steps' guests. */
  unexpected: string[];
  /** Expected files that did not change. */
  unchanged: string[];
  /** Files that differ from before the change once the original commands ran again. */
  notRestored: string[];
}

/** Files a rendered script writes (renderFileStep's heredocs), path → content. */
export function scriptFiles(script: string): Map<string, string> {
  const files = new Map<string, string>();
  const step =
    /^# (\/\S.*)\ntarget=.*\nmkdir -p .*\nstaged=.*\ncat >"\$staged" <<'([A-Z_]+)'\n([\s\S]*?)^\2$/gm;
  for (const m of script.matchAll(step)) files.set(m[1], m[3]);
  return files;
}

/** Paths whose rendered content differs between two versions of a script (or exists in one only). */
export function changedFiles(before: string, after: string): string[] {
  const a = scriptFiles(before);
  const b = scriptFiles(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((p) => a.get(p) !== b.get(p)).sort();
}

/** The stack file's text with one value changed (comments and layout kept); throws if the key is absent. */
export function editStackText(text: string, edit: StackEdit): { text: string; before: unknown } {
  const doc = parseDocument(text);
  const path = ["config", `${PROJECT}:${edit.path[0]}`, ...edit.path.slice(1)];
  if (!doc.hasIn(path)) throw new Error(`${edit.path.join(".")}: not set in the stack file`);
  const before = doc.getIn(path);
  if (JSON.stringify(before) === JSON.stringify(edit.value))
    throw new Error(`${edit.path.join(".")}: already ${JSON.stringify(edit.value)}; not a change`);
  doc.setIn(path, edit.value);
  return { text: doc.toString(), before };
}

/** Names of the commands whose host, command line or stdin differ between two box plans. */
export function commandsWithChangedInputs(before: BoxPlan, after: BoxPlan): string[] {
  const old = new Map(before.commands.map((c) => [c.urn, c]));
  const now = new Map(after.commands.map((c) => [c.urn, c]));
  const names = new Set<string>();
  for (const c of after.commands) {
    const o = old.get(c.urn);
    if (!o || o.host !== c.host || o.create !== c.create || o.stdin !== c.stdin) names.add(c.name);
  }
  for (const c of before.commands) if (!now.has(c.urn)) names.add(c.name);
  return [...names].sort();
}

/** The snapshot target (node name or guest hostname) a command runs on. */
function targetOf(box: RunningBox, c: BoxCommand): string {
  const vmid = /^pct exec (\d+) /.exec(c.create)?.[1];
  if (vmid) return box.guests.get(Number(vmid))?.spec.hostname ?? `ct${vmid}`;
  return [...box.nodes.values()].find((n) => n.spec.address === c.host)?.spec.name ?? c.host;
}

async function snapshotAll(box: RunningBox): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  for (const [name, g] of snapshotTargets(box)) out.set(name, await snapshot(g));
  return out;
}

function fileChanges(before: Map<string, Snapshot>, after: Map<string, Snapshot>): string[] {
  const out: string[] = [];
  for (const [where, a] of after) {
    const b = before.get(where)!;
    for (const [path, sum] of a.files) if (b.files.get(path) !== sum) out.push(`${where}: ${path}`);
    for (const path of b.files.keys()) if (!a.files.has(path)) out.push(`${where}: ${path}`);
  }
  return out.sort();
}

function restarts(before: Map<string, Snapshot>, after: Map<string, Snapshot>): string[] {
  const out: string[] = [];
  for (const [where, b] of before)
    for (const [unit, state] of b.services)
      if (after.get(where)!.services.get(unit) !== state) out.push(`${where}: ${unit}`);
  return out.sort();
}

async function runAll(box: RunningBox, commands: BoxCommand[]): Promise<string[]> {
  const failures: string[] = [];
  for (const c of commands) {
    const r = await box.runCommand(c);
    if (r.code !== 0)
      failures.push(`${c.name} exited ${r.code}: ${r.stderr.trim().split("\n").slice(-2).join(" ")}`);
  }
  return failures;
}

/**
 * Changes `edit` in the stack file at `root`, re-runs what the plan says would re-run in the running
 * box, checks what changed, and runs the original commands again. Works in `box.runDir`.
 */
export async function changedValueRerun(
  box: RunningBox,
  root: string,
  edit: StackEdit,
): Promise<ChangedValueReport> {
  const stack = box.plan.stack;
  const file = `Pulumi.${stack}.yaml`;
  const changed = editStackText(readFileSync(join(root, file), "utf8"), edit);
  const dir = join(box.runDir, "changed-value");
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  writeFileSync(join(dir, file), changed.text);
  const diff = diffPlans(stack, (await buildPlan(stack, root)).plan, (await buildPlan(stack, dir)).plan);
  const planRerun = diff.rerun.map((r) => r.name).sort();
  const planOther = [
    ...diff.changed.map((r) => `${r.name} updated in place (${r.changes.map((c) => c.path).join(", ")})`),
    ...diff.replaced.map((r) => `${r.name} replaced`),
    ...diff.added.map((r) => `${r.name} added`),
    ...diff.removed.map((r) => `${r.name} removed`),
  ];
  const after = await box.collect(readStackFile(dir, stack));
  const inputsChanged = commandsWithChangedInputs(box.plan, after);
  const rerun = after.commands.filter((c) => planRerun.includes(c.name));
  const original = box.plan.commands.filter((c) => planRerun.includes(c.name));
  const status = new Map(box.steps.map((s) => [s.name, s.status]));
  const blocked = planRerun
    .filter((n) => status.get(n) !== "ok")
    .map((n) => `${n} (${status.get(n) ?? "not run"} in the main run)`);
  const expectedFiles = rerun.flatMap((c) => {
    const o = original.find((x) => x.urn === c.urn)!;
    return changedFiles(o.stdin, c.stdin).map((p) => `${targetOf(box, c)}: ${p}`);
  });
  const report: ChangedValueReport = {
    edit: `${edit.path.join(".")}: ${JSON.stringify(changed.before)} → ${JSON.stringify(edit.value)}`,
    planRerun,
    planOther,
    inputsChanged,
    blocked,
    failures: [],
    expectedFiles,
    changedFiles: [],
    restarted: [],
    unexpected: [],
    unchanged: [],
    notRestored: [],
  };
  if (blocked.length > 0 || rerun.length === 0) return report;
  const before = await snapshotAll(box);
  report.failures = await runAll(box, rerun);
  const between = await snapshotAll(box);
  report.changedFiles = fileChanges(before, between);
  report.restarted = restarts(before, between);
  const guestsOfRerun = new Set(rerun.map((c) => targetOf(box, c)));
  report.unexpected = [
    ...report.changedFiles.filter((f) => !expectedFiles.includes(f)),
    ...report.restarted.filter((s) => !guestsOfRerun.has(s.split(":")[0])).map((s) => `${s} restarted`),
  ];
  report.unchanged = expectedFiles.filter((f) => !report.changedFiles.includes(f));
  // Back to the stack as it is: the original commands, exactly as the main run sent them.
  report.failures.push(...(await runAll(box, original)));
  report.notRestored = fileChanges(before, await snapshotAll(box));
  return report;
}

/** Every way the report shows the plan's promise broken; empty when it held. */
export function changedValueProblems(r: ChangedValueReport): string[] {
  const same = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  return [
    ...(r.planRerun.length === 0 ? ["the plan re-runs no command: the edit proves nothing"] : []),
    ...(same(r.planRerun, r.inputsChanged)
      ? []
      : [
          `the plan re-runs [${r.planRerun.join(", ")}] but the inputs of [${r.inputsChanged.join(", ")}] changed`,
        ]),
    ...r.blocked.map((b) => `cannot re-run ${b}`),
    ...(r.blocked.length === 0 && r.expectedFiles.length === 0
      ? ["the re-run scripts render no file differently: nothing to see change"]
      : []),
    ...r.failures,
    ...r.unexpected.map((u) => `unexpected change: ${u}`),
    ...r.unchanged.map((u) => `expected change missing: ${u}`),
    ...r.notRestored.map((u) => `not restored by the original commands: ${u}`),
  ];
}

/** The school's edit: Redis's memory (maxmemory and the container's memory): one step, one guest. */
export function schoolEdit(redisMemoryMb: number): StackEdit {
  return { path: ["redis", "memoryMb"], value: redisMemoryMb + 1024 };
}
