/**
 * Builds the box's cached base root ahead of the box tier (docs/box.md), so that CI can overlap
 * debootstrap's downloads with the engine build. Does nothing when the root is cached or when
 * this machine cannot run the box.
 * Run: npx tsx box/prepare.ts
 */
import { join } from "node:path";
import { finish } from "../scripts/lib/exit";
import { startAptCache } from "./lib/apt-path";
import { ensureBase } from "./lib/base";
import { cleanLeftovers, lockBox } from "./lib/box";
import { whyBoxCannotRun } from "./lib/capability";
import { Teardown } from "./lib/teardown";
import { boxCacheDir } from "./run-support";

async function main(): Promise<number> {
  if (process.argv.includes("--help")) {
    console.log("usage: npx tsx box/prepare.ts   (builds the box's cached base root; no options)");
    return 0;
  }
  const why = whyBoxCannotRun();
  if (why) {
    console.log(`box: nothing to prepare (${why})`);
    return 0;
  }
  const log = (line: string) => console.log(`[box prepare] ${line}`);
  const cacheDir = boxCacheDir();
  const unlock = lockBox(cacheDir);
  const teardown = new Teardown();
  try {
    await cleanLeftovers(cacheDir, log);
    const cache = await startAptCache(teardown, cacheDir, join(cacheDir, "run"));
    const base = await ensureBase(cacheDir, cache.hostUrl, log);
    log(`base root ready: ${base}`);
    return 0;
  } finally {
    await teardown.runAll(log);
    unlock();
  }
}

finish(main());
