/**
 * Times the real CLI's preview of each stack beside the credential-free plan of the same stack.
 * `npm run bench:engine`; needs the CLI that scripts/engine/build.sh builds. Where provider
 * plugins are missing the preview stops at the first provider, and the table says so.
 */
import { spawnSync } from "node:child_process";
import { listStacks } from "../scripts/lib/stacks";
import { findEngine, repoRoot } from "../test/engine/support/engine";
import { previewStack } from "../test/engine/support/preview";

function planSeconds(stack: string): number {
  const started = Date.now();
  const run = spawnSync("npx", ["tsx", "scripts/plan.ts", "--stack", stack, "--json"], {
    cwd: repoRoot,
    stdio: "ignore",
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`plan of ${stack} failed`);
  return (Date.now() - started) / 1000;
}

async function main(): Promise<number> {
  if (process.argv.includes("--help")) {
    console.log("usage: npm run bench:engine   (times the real preview and the plan of every stack)");
    return 0;
  }
  const { engine, reason } = findEngine();
  if (!engine) {
    console.error(`no engine: ${reason}`);
    return 1;
  }
  const scope = engine.missing.length
    ? `up to the first provider (not built: ${engine.missing.map((m) => m.name).join(", ")})`
    : "complete";
  console.log(`| stack | real preview (${scope}) | credential-free plan |`);
  console.log("| --- | --- | --- |");
  for (const stack of listStacks(repoRoot)) {
    const outcome = await previewStack(stack);
    console.log(
      `| ${stack} | ${outcome.seconds.toFixed(1)} s, ${outcome.steps.length} steps | ${planSeconds(stack).toFixed(1)} s |`,
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
