/**
 * The deploy simulation checks the dependency graph (no needless or hidden waits); its seconds come
 * from a fixed latency table, so nothing it prints may read as an estimate of deploy time (issue 14,
 * point 13). Real step times come from the site-in-a-box runs.
 */
import type { DeployAnalysis } from "../../bench/lib/deploy-graph";
import { markdownSummary, textReport, verdict, type StackResult } from "../../bench/lib/deploy-report";

const analysis: DeployAnalysis = {
  resourceCount: 10,
  customCount: 8,
  boundSeconds: 477,
  simulatedSeconds: 480,
  simulatedMs: 4800,
  ratio: 480 / 477,
  criticalPath: [{ urn: "urn:a", startSeconds: 0, latencySeconds: 477, via: [] }],
  needless: [],
  boundWithoutNeedlessSeconds: 477,
  hidden: [],
  unknownTypes: [],
  tiers: [],
  guests: [],
};
const result: StackResult = {
  stack: "prod",
  scale: 100,
  analysis,
  labels: new Map([["urn:a", "Command a"]]),
};

describe.each([
  ["the text report", () => textReport(result)],
  ["the closing verdict (also what --check prints)", () => verdict([result])],
  ["the Markdown summary", () => markdownSummary([result])],
])("%s", (_what, render) => {
  it("never calls its seconds realistic", () => {
    expect(render()).not.toMatch(/realistic/i);
  });
});

describe("the deploy simulation's wording", () => {
  it("says in the text report that the ratio checks the dependency graph and is no deploy-time estimate", () => {
    const text = textReport(result);
    expect(text).toMatch(/ratio 1\.006 .*dependency graph/);
    expect(text).toContain("fixed latency table");
  });

  it("closes with what the ratio is and where real step times come from", () => {
    const text = verdict([result]);
    expect(text).toContain("not an estimate of deploy time");
    expect(text).toContain("site-in-a-box");
  });
});
