/**
 * The site in a box: every guest's provisioning runs in a booted Debian 12 guest on the site's own
 * addresses (docs/box.md).
 * Run (as root, on a machine that can boot systemd-nspawn guests):
 *   npm run box -- --stack school [--parallel 4] [--keep] [--json FILE]
 *   npm run box -- --clean      (undo what a crashed run left)
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readStackFile } from "../config/stack-file";
import { finish } from "../scripts/lib/exit";
import { cleanLeftovers, runBox } from "./lib/box";
import { Teardown } from "./lib/teardown";

export function boxCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "proxmox-sites", "box");
}

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
    },
  });
  const log = (line: string) => console.log(`[box ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const cacheDir = boxCacheDir();
  if (values.clean) {
    await cleanLeftovers(cacheDir, log);
    return 0;
  }
  if (!values.stack) {
    console.error("usage: npm run box -- --stack NAME [--parallel N] [--keep] | --clean");
    return 2;
  }
  const parallel = Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) {
    console.error(`--parallel must be a positive integer, got ${values.parallel}`);
    return 2;
  }
  const root = resolve(__dirname, "..");
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
  const report = await runBox({
    file: readStackFile(root, values.stack),
    teardown,
    root,
    cacheDir,
    parallel,
    hold: values.keep ? untilSignal : undefined,
    log,
  });
  for (const s of report.steps) {
    log(
      `${s.status.padEnd(7)} ${s.seconds.toFixed(1).padStart(6)} s  ${s.name}${s.error ? `  ${s.error.split("\n")[0]}` : ""}`,
    );
  }
  log(
    `${report.ok ? "all steps succeeded" : "some steps failed"}: setup ${report.setupSeconds.toFixed(0)} s, steps ${report.stepsSeconds.toFixed(0)} s`,
  );
  return report.ok ? 0 : 1;
}

finish(main());
