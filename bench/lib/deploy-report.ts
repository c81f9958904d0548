/**
 * Text and Markdown for the deploy simulation's findings. Pure.
 * The simulation is a check of the program's dependency graph, not a deploy-time estimate: its
 * seconds come from a fixed latency table (deploy-latency.ts), and the ratio (simulated time over
 * the critical-path bound of the declared graph) only says whether something waited for more than
 * it declared. Every text printed here says so; real step times come from the site-in-a-box runs.
 */
import type { DeployAnalysis, Span } from "./deploy-graph";

/** The ratio a stack must stay under: measured time within 5 % of its critical path. */
export const RATIO_TARGET = 1.05;

export interface StackResult {
  stack: string;
  scale: number;
  analysis: DeployAnalysis;
  /** URN → "Type name" for printing. */
  labels: Map<string, string>;
}

/** "ContainerLegacy database-primary" from a type token and a name. */
export function shortLabel(type: string, name: string): string {
  return `${type.slice(type.lastIndexOf(":") + 1)} ${name}`;
}

const s = (seconds: number) => `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;

/** What the figures are, said once under every report (text and `--check` alike). */
export const GRAPH_CHECK_NOTE =
  "The ratio checks the dependency graph (no needless or hidden waits); the seconds come from a fixed " +
  "latency table, so they are not an estimate of deploy time. Real step times come from the site-in-a-box runs.";

/** Whether a stack meets the target: ratio within bound and no needless wait. */
export function meetsTarget(a: DeployAnalysis): boolean {
  return a.ratio <= RATIO_TARGET && a.needless.length === 0;
}

/** The closing line: which stacks miss the ratio target, which wait needlessly. */
export function verdict(results: StackResult[]): string {
  const slow = results.filter((r) => r.analysis.ratio > RATIO_TARGET).map((r) => r.stack);
  const needless = results.filter((r) => r.analysis.needless.length > 0).map((r) => r.stack);
  const findings = [
    slow.length === 0
      ? `ratio ≤ ${RATIO_TARGET} for every stack`
      : `ratio above ${RATIO_TARGET}: ${slow.join(", ")}`,
    needless.length === 0 ? "no needless wait" : `needless waits in: ${needless.join(", ")}`,
  ].join("; ");
  return `dependency-graph check: ${findings}\n${GRAPH_CHECK_NOTE}`;
}

const span = (t: Span) =>
  `     ${t.name.padEnd(22)} ${s(t.startSeconds).padStart(7)} → ${s(t.finishSeconds)}`;

/** The findings of one stack for the terminal; `withGuests` adds the per-guest schedule. */
export function textReport(r: StackResult, withGuests = false): string {
  const a = r.analysis;
  const label = (urn: string) => r.labels.get(urn) ?? urn;
  const lines = [
    `== ${r.stack}: ${a.resourceCount} resources (${a.customCount} custom), scale 1/${r.scale}`,
    `   simulated ${(a.simulatedMs / 1000).toFixed(3)} s  = ${s(a.simulatedSeconds)} (${minutes(a.simulatedSeconds)}) in the fixed latency table's seconds`,
    `   critical-path bound ${s(a.boundSeconds)} (${minutes(a.boundSeconds)})   ratio ${a.ratio.toFixed(3)} ` +
      `(dependency graph: ${a.ratio <= RATIO_TARGET ? "ok" : `ABOVE ${RATIO_TARGET}, something waited for more than it declared`})`,
    "   critical path (table seconds):",
    ...a.criticalPath
      .filter((p) => p.latencySeconds > 0 || p === a.criticalPath[a.criticalPath.length - 1])
      .map(
        (p) =>
          `     ${s(p.startSeconds).padStart(7)} +${s(p.latencySeconds).padStart(6)}  ${label(p.urn)}` +
          (p.via.length ? `   (after: ${p.via.join("+")})` : ""),
      ),
    "   tiers in the earliest-start schedule (start → finish):",
    ...a.tiers.map(span),
    ...(withGuests ? ["   guests (start → finish):", ...a.guests.map(span)] : []),
  ];
  if (a.needless.length > 0) {
    const byWaiter = new Map<string, { guest: string; on: Set<string> }>();
    for (const n of a.needless) {
      const w = byWaiter.get(n.to) ?? { guest: n.toGuest, on: new Set<string>() };
      w.on.add(n.fromGuest);
      byWaiter.set(n.to, w);
    }
    lines.push(
      `   needless waits (explicit dependsOn on guests it never connects to); bound without them ${s(a.boundWithoutNeedlessSeconds)}:`,
      ...[...byWaiter].map(
        ([urn, w]) => `     ${label(urn)} [${w.guest}] waits for guests ${[...w.on].sort().join(", ")}`,
      ),
    );
  } else lines.push("   needless waits: none");
  if (a.hidden.length > 0) {
    lines.push(
      "   hidden waits (started later than everything it declared had finished):",
      ...a.hidden.slice(0, 10).map((h) => `     ${label(h.urn)}: ${s(h.waitSeconds)}`),
    );
  } else lines.push("   hidden waits: none");
  if (a.unknownTypes.length > 0)
    lines.push(`   types without a latency (default used): ${a.unknownTypes.join(", ")}`);
  return lines.join("\n");
}

/** One Markdown table row per stack. */
export function markdownSummary(results: StackResult[]): string {
  const rows = results.map((r) => {
    const a = r.analysis;
    return `| \`${r.stack}\` | ${a.resourceCount} (${a.customCount} custom) | ${(a.simulatedMs / 1000).toFixed(2)} s | ${s(a.simulatedSeconds)} (${minutes(a.simulatedSeconds)}) | ${s(a.boundSeconds)} | ${a.ratio.toFixed(3)} | ${new Set(a.needless.map((n) => n.to)).size} |`;
  });
  return [
    "| stack | resources | simulated (scaled) | simulated × scale (table seconds) | critical-path bound | ratio (graph check) | resources waiting needlessly |",
    "| ----- | --------- | ------------------ | --------------------------------- | ------------------- | ------------------- | ---------------------------- |",
    ...rows,
  ].join("\n");
}

/** The critical path of a stack as a Markdown list. */
export function markdownPath(r: StackResult): string {
  const a = r.analysis;
  return a.criticalPath
    .filter((p) => p.latencySeconds > 0)
    .map((p) => `${s(p.startSeconds)} +${s(p.latencySeconds)} \`${r.labels.get(p.urn) ?? p.urn}\``)
    .join(" → ");
}
