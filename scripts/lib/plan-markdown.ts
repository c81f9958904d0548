import { buildFirewallMatrix, renderFirewallMatrixMarkdown } from "../../components/firewall/matrix";
import { FirewallModelError } from "../../components/firewall/model";
import { firewallModelFor } from "../../components/firewall/site-model";
import type { SiteConfig } from "../../config/schema";
import type { Plan } from "./plan-build";
import {
  allocationMarkdown,
  capacityMarkdown,
  ipPlanMarkdown,
  markdownTable,
  publishedMarkdown,
} from "./plan-tables";
import { resilienceMarkdown } from "./plan-resilience";
import { resourceTree } from "./resource-tree";

/** The communication matrix of the site's firewall, or why it could not be built. */
export function firewallSection(site: SiteConfig): string[] {
  const intro = site.firewall.enabled
    ? "Inbound policy DROP on every guest; only these flows are allowed."
    : "`firewall.enabled` is false in this stack: these are the flows the rules would allow.";
  try {
    const matrix = renderFirewallMatrixMarkdown(buildFirewallMatrix(firewallModelFor(site)));
    return ["## Firewall matrix", "", intro, "", matrix.trimEnd(), ""];
  } catch (err) {
    if (!(err instanceof FirewallModelError)) throw err;
    return [
      "## Firewall matrix",
      "",
      "The firewall model is invalid:",
      "",
      ...err.problems.map((p) => `- ${p}`),
      "",
    ];
  }
}

/** plan.md: the plan's tables in Markdown, then the firewall matrix. */
export function planMarkdown(plan: Plan, site: SiteConfig): string {
  const total = plan.resources.filter((r) => r.custom).length;
  const lines = [
    `# Plan of stack "${plan.stack}": ${plan.client}`,
    "",
    "Credential-free: the real program under Pulumi's mocks. `secure:` values and generated secrets show as [secret].",
    "",
    ...(plan.warnings.length ? ["## Warnings", "", ...plan.warnings.map((w) => `- ${w}`), ""] : []),
    "## Resources by component",
    "",
    "```",
    resourceTree(plan.resources),
    "```",
    "",
    "## Resource counts",
    "",
    markdownTable(["Type", "Count"], [...Object.entries(plan.counts), ["total", total]]),
    "",
    "## IP plan",
    "",
    ipPlanMarkdown(plan.ipPlan),
    "",
    "## Resource allocation",
    "",
    allocationMarkdown(plan.allocation),
    "",
    "## Capacity check",
    "",
    capacityMarkdown(plan.capacity),
    "",
    ...(plan.resilience ? resilienceMarkdown(plan.resilience) : []),
    ...(plan.published.length
      ? ["## Published through the tunnel", "", publishedMarkdown(plan.published), ""]
      : []),
    ...firewallSection(site),
  ];
  return lines.join("\n");
}
