import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";

/** A service one tier takes from another tier of the same stack. */
export type TierNeed = "database" | "redis";

/** The stack key of the tier that provides each need. */
export const NEED_PROVIDER: Record<TierNeed, keyof SiteConfig> = { database: "database", redis: "redis" };

/**
 * What each tier needs from the rest of the stack, in one table (when tiers become self-describing
 * folders, each row moves into its tier). A tier absent from the table needs nothing it cannot do
 * without: monitoring scrapes the database and Redis only where they exist. Shared files are not a
 * cross-tier need: the Moodle tier names its own `sharedFiles` node (or a NAS), and its checks require one.
 */
export const TIER_NEEDS: Partial<Record<keyof SiteConfig, readonly TierNeed[]>> = {
  // Nextcloud: accounts and data in MariaDB; file locking, distributed and local cache in Redis.
  nextcloud: ["database", "redis"],
  // Frappe: MariaDB site database; Redis for cache, the job queue and socket.io.
  frappe: ["database", "redis"],
  snipeIt: ["database"],
  passbolt: ["database"],
  // Moodle: MariaDB; sessions and the application cache (MUC) in Redis, shared by every app node.
  moodle: ["database", "redis"],
};

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return typeof value !== "object" || Array.isArray(value) || Object.keys(value).length > 0;
}

/** One problem per tier and unmet need, at the tier's key. */
export function checkTierNeeds(site: SiteConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [tier, needs] of Object.entries(TIER_NEEDS) as [keyof SiteConfig, readonly TierNeed[]][]) {
    if (!isPresent(site[tier])) continue;
    for (const need of needs) {
      const provider = NEED_PROVIDER[need];
      if (!isPresent(site[provider]))
        problems.push({ path: tier, message: `needs a ${need} tier: add the ${provider} key` });
    }
  }
  return problems;
}
