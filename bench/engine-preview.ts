/**
 * Times the real CLI's preview of each stack beside the credential-free plan of the same stack.
 * `npm run bench:engine`; needs the CLI that scripts/engine/build.sh builds. Where provider
 * plugins are missing the preview stops at the first provider, and the table says so.
 */
import { spawnSync } from "node:child_process";
import { helpRequested, parseCommandLine } from "../scripts/lib/cli";
import { runCommand } from "../scripts/lib/exit";
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

const usage = `usage: npm run bench:engine

Times the real CLI's preview of every stack beside the credential-free plan of the same stack.
Needs the CLI that scripts/engine/build.sh builds (npm run engine:build). Takes no options.
  -h, --help  print this help
Exit codes: 0 timed, 1 no engine or a plan failed, 2 a usage mistake.`;

async function main(): Promise<number> {
  if (helpRequested()) {
    console.log(usage);
    return 0;
  }
  parseCommandLine({ options: {} });
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

runCommand(main);
