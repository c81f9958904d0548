/**
 * Deploy simulation: how long `pulumi up` of each stack takes if every resource starts as soon as
 * what it waits for is done, and whether the program lets it.
 * Run: npm run bench:deploy [-- --stack prod] [--scale 100] [--runs 3] [--guests] [--markdown]
 *      [--json] [--check] [--latencies]
 *
 * For every Pulumi.<stack>.yaml in the repository root (or --stack), runs the real program under
 * Pulumi's mock monitor where creating a resource takes its documented latency
 * (bench/lib/deploy-latency.ts) divided by --scale (default 100: one realistic second is 10 ms).
 * It records what the SDK sent the engine for every registration (parent, provider, explicit and
 * input dependencies: the waits Pulumi enforces) and when the creation started and ended. Prints
 * the simulated wall time (first registration to last creation, also converted back to realistic
 * seconds), the critical-path bound of that dependency graph, their ratio, the critical path,
 * explicit waits between guests that never connect ("needless") and waits the graph does not
 * explain ("hidden"). Where the box has measured a stack (bench/box-figures/<stack>.json, written by
 * `npm run box -- --stack <name> --record`), its commands and guests take their measured times and
 * the table covers the rest; each stack's report says which was used. --runs N keeps the fastest of N runs (other load only adds time); --guests
 * adds each guest's schedule; --check exits 1 when a stack is above the ratio target or has a
 * needless wait; --latencies prints the latency table as Markdown.
 */
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
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

const DEFAULT_SCALE = 100;

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
      ? `== ${stack}: latencies of ${measured!.size} commands and guests measured by the box (${figures.measuredAt.slice(0, 10)}, apt cache ${figures.aptCache}); the table for the rest`
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
  const { values } = parseArgs({
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
  if (!(scale > 0) || !Number.isInteger(runs) || runs < 1) {
    console.error(`--scale must be a positive number and --runs a positive integer`);
    return 2;
  }
  const root = resolve(__dirname, "..");
  const stacks = values.stack ?? stacksIn(root);
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
