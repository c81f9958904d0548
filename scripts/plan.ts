import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SiteConfigError } from "../config/problems";
import { buildPlan } from "./lib/plan-build";
import { planArtifacts } from "./lib/plan-artifacts";
import { planMarkdown } from "./lib/plan-markdown";
import { finish } from "./lib/exit";

const usage = "usage: npm run plan -- --stack <name> [--json] [--out <dir>] [--dir <stack files' directory>]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      json: { type: "boolean", default: false },
      out: { type: "string" },
      dir: { type: "string" },
    },
  });
  if (!values.stack) {
    console.error(usage);
    return 2;
  }
  const root = values.dir ? resolve(values.dir) : resolve(__dirname, "..");
  let built;
  try {
    built = await buildPlan(values.stack, root);
  } catch (err) {
    if (err instanceof SiteConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const { plan, site } = built;
  if (values.out) {
    const dir = resolve(values.out);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of await planArtifacts(built)) {
      writeFileSync(join(dir, name), text);
      console.log(`wrote ${join(values.out, name)} (${Buffer.byteLength(text)} bytes)`);
    }
    return 0;
  }
  console.log(values.json ? JSON.stringify(plan, null, 2) : planMarkdown(plan, site));
  return 0;
}

finish(main());
