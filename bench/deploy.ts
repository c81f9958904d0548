/**
 * Deploy simulation: a check of the program's dependency graph. It asks whether every resource
 * can start as soon as what it truly needs is done: no needless waits (an explicit dependsOn between
 * guests that never connect) and no hidden waits (a wait the declared graph does not explain). It is
 * NOT an estimate of how long `pulumi up` takes: the seconds are a fixed table per resource type,
 * Proxmox's storage and lock contention is not modelled; real step times come from the
 * site-in-a-box runs.
 * Run: npm run bench:deploy [-- --stack prod] [--scale 100] [--runs 3] [--guests] [--markdown]
 *      [--json] [--check] [--latencies]
 *
 * For every Pulumi.<stack>.yaml in the repository root (or --stack), runs the real program under
 * Pulumi's mock monitor where creating a resource takes its table latency
 * (bench/lib/deploy-latency.ts) divided by --scale (default 100: one table second is 10 ms).
 * It records what the SDK sent the engine for every registration (parent, provider, explicit and
 * input dependencies: the waits Pulumi enforces) and when the creation started and ended. Prints
 * the simulated wall time (first registration to last creation, also converted back to table
 * seconds), the critical-path bound of that dependency graph, their ratio (1.0: nothing waited for
 * more than it declared), the critical path, needless and hidden waits. --runs N keeps the fastest
 * of N runs (other load only adds time); --guests adds each guest's schedule; --check is the graph
 * check: exit 1 when a stack's ratio is above the target or it has a needless wait; --latencies
 * prints the latency table as Markdown. Where the box has measured a stack
 * (bench/box-figures/<stack>.json, written by `npm run box -- --stack <name> --record`), its
 * commands and guests take their measured times and the table covers the rest; each stack's report
 * says which was used.
 */
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { readStackFile } from "../config/stack-file";
import { validateSiteConfig } from "../config/validate";
import { siteWiring } from "../config/wiring";
import { analyseRun } from "./lib/deploy-graph";
import {
  markdownPath,
  markdownSummary,
  meetsTarget,
  shortLabel,
  textReport,
  verdict,
} from "./lib/deploy-report";
import type { StackResult } from "./lib/deploy-report";
import {
  COMMAND_LATENCY_BY_ROLE,
  COMPONENT_LATENCY,
  LATENCY_BY_PREFIX,
  LATENCY_BY_TYPE,
  UNKNOWN_LATENCY,
  type LatencyEntry,
} from "./lib/deploy-latency";
import { simulateDeploy } from "./lib/deploy-sim";
import { figuresPath, measuredLatencies, readFigures } from "../box/lib/figures";
import { finish } from "../scripts/lib/exit";
import { helpRequested, parseCommandLine, requireStackFile, UsageError } from "../scripts/lib/cli";

const DEFAULT_SCALE = 100;

const usage = `usage: npm run bench:deploy [-- --stack <name>]... [--scale N] [--runs N] [--guests] [--markdown]
       [--json] [--check] [--latencies]

Simulates \`pulumi up\` of each stack under mocks where every creation takes its documented latency,
and checks the dependency graph: simulated wall time against the critical path, needless and hidden waits.
  --stack <name>  a stack to simulate (repeatable; default: every Pulumi.<stack>.yaml)
  --scale N       realistic seconds per simulated second, above 0 (default ${DEFAULT_SCALE})
  --runs N        keep the fastest of N runs (default 1)
  --guests        add each guest's schedule
  --markdown      print the summary as Markdown (docs/BENCHMARKS.md)
  --json          print the results as JSON
  --check         exit 1 when a stack misses the ratio target or has a needless wait
  --latencies     print the latency table as Markdown and exit
  -h, --help      print this help
Exit codes: 0 done, 1 a stack failed to simulate (or --check failed), 2 a usage mistake.`;

function stacksIn(root: string): string[] {
  return readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

async function runStack(root: string, stack: string, scale: number, runs: number): Promise<StackResult> {
  const { config } = validateSiteConfig(stack, readStackFile(root, stack).values);
  const wiring = siteWiring(config);
  const vmids = new Map(wiring.guests.map((g) => [g.vmid, g.key]));
  const figures = readFigures(figuresPath(root, stack));
  const measured = figures ? measuredLatencies(figures) : undefined;
  console.error(
    figures
      ? `== ${stack}: latencies of ${measured!.size} commands and guests measured by the box (${figures.measuredAt.slice(0, 10)}, apt cache ${figures.aptCache}${figures.tiers ? `, tiers ${figures.tiers.join(", ")}` : ""}); the table for the rest`
      : `== ${stack}: latencies from the table (no box figures in bench/box-figures/${stack}.json)`,
  );
  // A discarded, nearly instant run first: a first run pays for loading and JIT-compiling the SDK
  // and this stack's code paths, which would count as waits on the path.
  await simulateDeploy(stack, 1e6, root, { measured });
  let best: StackResult | undefined;
  // Other load on the machine only ever adds time: with several runs, the fastest is the program's.
  for (let i = 0; i < runs; i++) {
    const run = await simulateDeploy(stack, scale, root, { measured });
    const result = {
      stack,
      scale,
      analysis: analyseRun(run.resources, scale, vmids, wiring.edges),
      labels: new Map(run.resources.map((r) => [r.urn, shortLabel(r.type, r.name)])),
    };
    if (!best || result.analysis.simulatedMs < best.analysis.simulatedMs) best = result;
  }
  return best!;
}

/** The latency table as Markdown, for docs/BENCHMARKS.md. */
function latencyMarkdown(): string {
  const rows = [
    ...Object.entries(LATENCY_BY_TYPE).map(([type, e]) => [`\`${type}\``, e]),
    ...LATENCY_BY_PREFIX.map((p) => [`\`${p.prefix}…\``, p.entry]),
    ...COMMAND_LATENCY_BY_ROLE.map((r) => [`command named \`…${r.suffix}\``, r.entry]),
    ["component resources", COMPONENT_LATENCY],
    ["any other type", UNKNOWN_LATENCY],
  ] as [string, LatencyEntry][];
  return [
    "| resource | seconds | why |",
    "| -------- | ------- | --- |",
    ...rows.map(([what, e]) => `| ${what} | ${e.seconds} | ${e.why} |`),
  ].join("\n");
}

async function main(): Promise<number> {
  if (helpRequested()) {
    console.log(usage);
    return 0;
  }
  const { values } = parseCommandLine({
    options: {
      stack: { type: "string", multiple: true },
      scale: { type: "string", default: String(DEFAULT_SCALE) },
      markdown: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      check: { type: "boolean", default: false },
      runs: { type: "string", default: "1" },
      guests: { type: "boolean", default: false },
      latencies: { type: "boolean", default: false },
    },
  });
  if (values.latencies) {
    console.log(latencyMarkdown());
    return 0;
  }
  const scale = Number(values.scale);
  const runs = Number(values.runs);
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new UsageError(`--scale must be a number above 0, found "${values.scale}"`);
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`--runs must be a whole number of at least 1, found "${values.runs}"`);
  const root = resolve(__dirname, "..");
  const stacks = values.stack ?? stacksIn(root);
  for (const stack of stacks) requireStackFile(root, stack);
  const results: StackResult[] = [];
  // One stack at a time: the runtime's mock monitor is process-wide, and timings must not overlap.
  const broken: string[] = [];
  for (const stack of stacks) {
    let result: StackResult;
    try {
      result = await runStack(root, stack, scale, runs);
    } catch (err) {
      console.error(`== ${stack}: not simulated: ${err instanceof Error ? err.message : String(err)}`);
      broken.push(stack);
      continue;
    }
    results.push(result);
    if (!values.json && !values.markdown) console.log(textReport(result, values.guests) + "\n");
  }
  if (values.json) {
    console.log(
      JSON.stringify(
        results.map((r) => ({
          stack: r.stack,
          scale: r.scale,
          ...r.analysis,
          criticalPath: r.analysis.criticalPath.map((p) => ({ ...p, resource: r.labels.get(p.urn) })),
        })),
        null,
        2,
      ),
    );
  }
  if (values.markdown) {
    console.log(markdownSummary(results) + "\n");
    for (const r of results) console.log(`- \`${r.stack}\`: ${markdownPath(r)}`);
  }
  const failing = results.filter((r) => !meetsTarget(r.analysis));
  if (!values.json) console.log(verdict(results));
  if (broken.length > 0) return 1;
  return values.check && failing.length > 0 ? 1 : 0;
}

finish(main());
