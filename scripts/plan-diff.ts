import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Plan } from "./lib/plan-build";
import { diffPlans } from "./lib/plan-diff";
import { renderDiffMarkdown, type StackOutcome } from "./lib/plan-diff-markdown";
import { listStacks } from "./lib/stacks";
import { finish } from "./lib/exit";
import { helpRequested, parseCommandLine, UsageError } from "./lib/cli";

const usage = `usage: npm run plan:diff -- --base <git-ref> [--out <file.md>]

Plans every stack at <git-ref> and in the working tree (credential-free, under mocks) and prints a
Markdown report per stack: resources added, removed, replaced or changed, and changed table rows.
  --base <git-ref>  the commit, branch or tag to compare with (required)
  --out <file.md>   also write the report to this file
  -h, --help        print this help
Exit codes: 0 reported, 1 a stack does not plan in the working tree, 2 a usage mistake.`;
const root = resolve(__dirname, "..");
const tsx = join(root, "node_modules", ".bin", "tsx");

function git(args: string[], cwd = root): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Runs `scripts/plan.ts --stack <stack> --json` of the tree at `dir` (that tree's own program). */
function planIn(dir: string, stack: string): Promise<Plan> {
  return new Promise((done, fail) => {
    const child = spawn(tsx, [join(dir, "scripts", "plan.ts"), "--stack", stack, "--json"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", fail);
    child.on("close", (code) => {
      const stderr = Buffer.concat(err).toString("utf8");
      if (code !== 0) return fail(new Error(stderr.trim() || `plan exited with ${code}`));
      try {
        done(JSON.parse(Buffer.concat(out).toString("utf8")) as Plan);
      } catch {
        fail(new Error(`plan did not print JSON: ${stderr.trim().slice(0, 2000)}`));
      }
    });
  });
}

/** Runs jobs two at a time (the plan of one stack keeps one core busy). */
async function inPairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

type Side = { plan?: Plan; error?: string };

async function planAll(dir: string, stacks: string[]): Promise<Map<string, Side>> {
  const sides = await inPairs(
    stacks.map(
      (s) => () =>
        planIn(dir, s).then(
          (plan): Side => ({ plan }),
          (e: Error): Side => ({ error: e.message }),
        ),
    ),
  );
  return new Map(stacks.map((s, i) => [s, sides[i]]));
}

/** The commit `ref` names, or a UsageError. */
function commitOf(ref: string): string {
  const r = spawnSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
    cwd: root,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new UsageError(`--base ${ref} is not a commit of this repository`);
  return r.stdout.trim();
}

async function main(): Promise<number> {
  if (helpRequested()) {
    console.log(usage);
    return 0;
  }
  const { values } = parseCommandLine({ options: { base: { type: "string" }, out: { type: "string" } } });
  if (!values.base) throw new UsageError("--base <git-ref> is required");
  const commit = commitOf(values.base);
  const scratch = mkdtempSync(join(tmpdir(), "plan-diff-"));
  const tree = join(scratch, "base");
  const cleanup = () => {
    spawnSync("git", ["worktree", "remove", "--force", tree], { cwd: root });
    rmSync(scratch, { recursive: true, force: true });
    spawnSync("git", ["worktree", "prune"], { cwd: root });
  };
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    git(["worktree", "add", "--detach", "--quiet", tree, commit]);
    // The base runs its own program with this tree's packages.
    symlinkSync(join(root, "node_modules"), join(tree, "node_modules"), "dir");
    const baseStacks = listStacks(tree);
    const headStacks = listStacks(root);
    const [base, head] = [await planAll(tree, baseStacks), await planAll(root, headStacks)];
    const outcomes: StackOutcome[] = [...new Set([...baseStacks, ...headStacks])].sort().map((stack) => {
      const b = base.get(stack);
      const h = head.get(stack);
      if (b?.error) return { stack, error: { side: "base", message: b.error } };
      if (h?.error) return { stack, error: { side: "head", message: h.error } };
      return { stack, diff: diffPlans(stack, b?.plan, h?.plan) };
    });
    const report = renderDiffMarkdown(outcomes, values.base);
    if (values.out) writeFileSync(values.out, `${report}\n`);
    console.log(report);
    return outcomes.some((o) => o.error?.side === "head") ? 1 : 0;
  } finally {
    cleanup();
  }
}

finish(main());
