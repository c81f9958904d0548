import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";
import type { TierNeed } from "./tier-spec";
import { TIERS } from "./tiers";
import { siteNeeds } from "./wiring";

export type { TierNeed } from "./tier-spec";

/** The stack key of the tier that provides each need (the spec that declares `provides`). */
export const NEED_PROVIDER = Object.fromEntries(
  TIERS.flatMap((tier) => (tier.provides ? [[tier.provides, tier.stackKey]] : [])),
) as Record<TierNeed, keyof SiteConfig>;

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return typeof value !== "object" || Array.isArray(value) || Object.keys(value).length > 0;
}

/**
 * One problem per tier (or cluster) and unmet need, at the key its spec names. The needs are the same
 * ones the service graph opens the database and Redis to (`siteNeeds`), so validation and wiring cannot
 * disagree about who uses what.
 */
export function checkTierNeeds(site: SiteConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const use of siteNeeds(site)) {
    const provider = NEED_PROVIDER[use.need];
    if (isPresent(site[provider]) || seen.has(`${use.path}|${use.need}`)) continue;
    seen.add(`${use.path}|${use.need}`);
    problems.push({
      path: use.path,
      message: use.message ?? `needs a ${use.need} tier: add the ${provider} key`,
    });
  }
  return problems;
}
