import { resolve } from "node:path";
import { capacityByNode, type NodeCapacity } from "../../config/capacity";
import { guestInventory } from "../../config/inventory";
import { formatProblem } from "../../config/problems";
import { siteResilience, type Resilience } from "../../config/resilience";
import type { SiteConfig } from "../../config/schema";
import { readStackFile } from "../../config/stack-file";
import { clusterTraffic, type ClusterTraffic } from "../../config/traffic";
import { validateSiteConfig } from "../../config/validate";
import { manualSteps, type ManualStep } from "../../config/windows-address";
import { siteWiring, type PublishedService } from "../../config/wiring";
import { runUnderMocks } from "./mock-run";
import { allocation, ipPlan, type AllocationRow, type IpPlanRow } from "./plan-tables";
import { countsByType } from "./resource-tree";

/** One registered resource as the plan shows it; secret inputs read `[secret]`. */
export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent component; null at the top. */
  parent: string | null;
  /** A provider resource (false: a component). Absent in plans made before it was recorded. */
  custom?: boolean;
  /** `protect: true` (delete and replace refused). Absent in plans made before it was recorded. */
  protect?: boolean;
  inputs: Record<string, unknown>;
  /** The URNs it also answers to through `aliases` (a resource moved under another parent). */
  aliases?: string[];
}

/** The credential-free plan of one stack: what `npm run plan -- --json` prints and plan.json holds. */
export interface Plan {
  stack: string;
  client: string;
  warnings: string[];
  resources: PlanResource[];
  counts: Record<string, number>;
  ipPlan: IpPlanRow[];
  allocation: AllocationRow[];
  capacity: NodeCapacity[];
  published: PublishedService[];
  /** What one node's loss stops and the single points of failure left. Absent in older plans. */
  resilience?: Resilience;
  /** Each web cluster's peak traffic per app node against a node's measured capacity. */
  traffic?: ClusterTraffic[];
  /** What the program cannot do and the operator must (e.g. the Windows VM's address). */
  manualSteps?: ManualStep[];
}

export interface BuiltPlan {
  plan: Plan;
  /** The validated stack the plan was made from (for the firewall matrix and the diagram). */
  site: SiteConfig;
  /** The credentials this run generated or stood in for: the secrets audit looks for them in the output. */
  generatedSecrets: ReadonlySet<string>;
}

/**
 * Validates Pulumi.<stack>.yaml in `dir` (throws SiteConfigError naming every problem), then runs the
 * real program under Pulumi's mocks and collects the plan.
 */
export async function buildPlan(stack: string, dir = resolve(__dirname, "../..")): Promise<BuiltPlan> {
  const file = readStackFile(dir, stack);
  const valid = validateSiteConfig(stack, file.values);
  const site = valid.config;
  const guests = guestInventory(site);
  const run = await runUnderMocks(stack, dir);
  const plan: Plan = {
    stack,
    client: site.site.client,
    warnings: valid.warnings.map(formatProblem),
    resources: run.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent ?? null,
      custom: r.custom,
      protect: r.protect,
      inputs: r.inputs,
      ...(r.aliases.length > 0 ? { aliases: r.aliases } : {}),
    })),
    counts: Object.fromEntries(countsByType(run.resources)),
    ipPlan: ipPlan(site, guests),
    allocation: allocation(guests),
    capacity: capacityByNode(site, guests),
    published: siteWiring(site).published,
    resilience: siteResilience(site, guests),
    traffic: clusterTraffic(site),
    manualSteps: manualSteps(site, guests),
  };
  return { plan, site, generatedSecrets: run.generatedSecrets };
}
