import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SiteConfigError } from "../config/problems";
import { helpRequested, parseCommandLine, requireStackFile, UsageError } from "./lib/cli";
import { buildPlan } from "./lib/plan-build";
import { planArtifacts } from "./lib/plan-artifacts";
import { planMarkdown } from "./lib/plan-markdown";
import { finish } from "./lib/exit";

const usage = `usage: npm run plan -- --stack <name> [--json] [--out <dir>] [--dir <stack files' directory>]

Runs the program under Pulumi's mock monitor with Pulumi.<name>.yaml (no credentials, no Pulumi CLI)
and prints the resource tree, counts, IP plan, allocation, capacity and published hostnames.
  --stack <name>  the stack to plan (required)
  --json          print one JSON object instead of the Markdown report
  --out <dir>     write plan.json, plan.md and topology.svg into <dir>
  --dir <dir>     where the stack files are (default: the repository root)
  -h, --help      print this help
Exit codes: 0 planned, 1 the stack file has problems (each named by its key), 2 a usage mistake.`;

async function main(): Promise<number> {
  if (helpRequested()) {
    console.log(usage);
    return 0;
  }
  const { values } = parseCommandLine({
    options: {
      stack: { type: "string" },
      json: { type: "boolean", default: false },
      out: { type: "string" },
      dir: { type: "string" },
    },
  });
  if (!values.stack) throw new UsageError("--stack <name> is required");
  const root = values.dir ? resolve(values.dir) : resolve(__dirname, "..");
  requireStackFile(root, values.stack);
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
