import {
  firewallStatus,
  registeredMatrix,
  registeredMatrixMarkdown,
} from "../../components/firewall/registered-matrix";
import { registeredFirewallFrom } from "../../components/firewall/registered";
import type { SiteConfig } from "../../config/schema";
import type { Plan } from "./plan-build";
import {
  allocationMarkdown,
  capacityMarkdown,
  ipPlanMarkdown,
  markdownTable,
  publishedMarkdown,
} from "./plan-tables";
import { resourceTree } from "./resource-tree";

/**
 * The firewall as the plan REGISTERED it (the resources' inputs, not the site model): what it
 * protects and every rule. `local_network` is the site network, as Proxmox detects it on a node there.
 */
export function firewallSection(plan: Plan, site: SiteConfig): string[] {
  const fw = registeredFirewallFrom(plan.resources, { localNetwork: site.network.cidr });
  const rows = registeredMatrix(fw);
  return [
    "## Firewall matrix",
    "",
    ...firewallStatus(fw).flatMap((line) => [line, ""]),
    ...(rows.length > 0 ? [registeredMatrixMarkdown(rows), ""] : []),
  ];
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
    ...(plan.manualSteps?.length
      ? [
          "## Manual steps (the program cannot do these)",
          "",
          ...plan.manualSteps.flatMap((s) => [`- ${s.what}`, ...s.how.map((h) => `  - ${h}`)]),
          "",
        ]
      : []),
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
    ...(plan.published.length
      ? ["## Published through the tunnel", "", publishedMarkdown(plan.published), ""]
      : []),
    ...firewallSection(plan, site),
  ];
  return lines.join("\n");
}
