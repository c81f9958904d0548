import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { guestInventory } from "../config/inventory";
import { SiteConfigError, formatProblem } from "../config/problems";
import { readStackFile } from "../config/stack-file";
import { validateSiteConfig } from "../config/validate";
import { siteWiring } from "../config/wiring";
import { runUnderMocks } from "./lib/mock-run";
import {
  allocation,
  allocationMarkdown,
  capacity,
  capacityMarkdown,
  ipPlan,
  ipPlanMarkdown,
  markdownTable,
  publishedMarkdown,
} from "./lib/plan-tables";
import { countsByType, resourceTree } from "./lib/resource-tree";

const usage = "usage: npm run plan -- --stack <name> [--json]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { stack: { type: "string" }, json: { type: "boolean", default: false } },
  });
  if (!values.stack) {
    console.error(usage);
    return 2;
  }
  const root = resolve(__dirname, "..");
  const file = readStackFile(root, values.stack);
  let valid;
  try {
    valid = validateSiteConfig(values.stack, file.values);
  } catch (err) {
    if (err instanceof SiteConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const site = valid.config;
  const guests = guestInventory(site);
  const wiring = siteWiring(site);
  const run = await runUnderMocks(values.stack, root);
  const plan = {
    stack: values.stack,
    client: site.site.client,
    warnings: valid.warnings.map(formatProblem),
    resources: run.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent ?? null,
      inputs: r.inputs,
    })),
    counts: Object.fromEntries(countsByType(run.resources)),
    ipPlan: ipPlan(site, guests),
    allocation: allocation(guests),
    capacity: capacity(site, guests),
    published: wiring.published,
  };
  if (values.json) {
    console.log(JSON.stringify(plan, null, 2));
    return 0;
  }
  const out = [
    `# Plan of stack "${plan.stack}" — ${plan.client}`,
    "",
    "Credential-free: the real program under Pulumi's mocks. `secure:` values and generated secrets show as [secret].",
    "",
    ...(plan.warnings.length ? ["## Warnings", "", ...plan.warnings.map((w) => `- ${w}`), ""] : []),
    "## Resources by component",
    "",
    "```",
    resourceTree(run.resources),
    "```",
    "",
    "## Resource counts",
    "",
    markdownTable(
      ["Type", "Count"],
      [...countsByType(run.resources), ["total", run.resources.filter((r) => r.custom).length]],
    ),
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
  ];
  console.log(out.join("\n"));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
