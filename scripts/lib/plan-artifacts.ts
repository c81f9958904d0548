import { buildTopology } from "../../components/topology/build";
import { renderTopologyDot } from "../../components/topology/dot";
import type { BuiltPlan } from "./plan-build";
import { planMarkdown } from "./plan-markdown";
import { renderSvg } from "./topology-svg";

/** The files `npm run plan -- --out <dir>` writes, by name. */
export async function planArtifacts(built: BuiltPlan): Promise<[string, string][]> {
  const { plan, site } = built;
  const dot = renderTopologyDot(buildTopology(site));
  return [
    ["plan.json", `${JSON.stringify(plan, null, 2)}\n`],
    ["plan.md", planMarkdown(plan, site)],
    ["topology.dot", dot],
    ["topology.svg", await renderSvg(dot)],
  ];
}
