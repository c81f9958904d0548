import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";

/**
 * Assignments derived from map keys. Validation sorts every map's keys, so reordering a stack file
 * changes none of them; a key that sorts first would still move a default, so each can be stated in
 * the stack (the committed stacks do) and the plan warns while a cluster relies on the default.
 */

type MoodleConfig = NonNullable<SiteConfig["moodle"]>;

const sortedKeys = (map: Record<string, unknown>) => Object.keys(map).sort();

/** The balancer keepalived makes MASTER (highest VRRP priority): moodle.primaryBalancer, else the first key. */
export function primaryBalancerKey(moodle: MoodleConfig): string {
  return moodle.primaryBalancer ?? sortedKeys(moodle.loadBalancers)[0];
}

/** Redis databases a Nextcloud instance may take: 0 is Moodle's sessions, 14 and 15 are Frappe's. */
export const NEXTCLOUD_REDIS_DATABASE_RANGE = { min: 1, max: 13 } as const;

/** Each Nextcloud instance's Redis database: nextcloud.<key>.redisDatabase, else 1 + its sorted position. */
export function nextcloudRedisDatabases(site: SiteConfig): Record<string, number> {
  const instances = site.nextcloud ?? {};
  return Object.fromEntries(
    sortedKeys(instances).map((key, i) => [key, instances[key].redisDatabase ?? i + 1]),
  );
}

export function checkAssignments(site: SiteConfig): { errors: ConfigProblem[]; warnings: ConfigProblem[] } {
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const m = site.moodle;
  if (m) {
    const balancers = sortedKeys(m.loadBalancers);
    if (m.primaryBalancer !== undefined && !balancers.includes(m.primaryBalancer))
      errors.push({
        path: "moodle.primaryBalancer",
        message: `"${m.primaryBalancer}" is not one of moodle.loadBalancers (${balancers.join(", ")})`,
      });
    if (m.primaryBalancer === undefined && balancers.length > 1)
      warnings.push({
        path: "moodle.primaryBalancer",
        message: `is not set: ${balancers[0]} (the first key) holds the VIP first, and a balancer added with a key that sorts before it would take over; name it`,
      });
  }
  const databases = nextcloudRedisDatabases(site);
  const owner = new Map<number, string>();
  for (const [key, db] of Object.entries(databases)) {
    const stated = site.nextcloud![key].redisDatabase !== undefined;
    const other = owner.get(db);
    if (other !== undefined)
      errors.push({
        path: `nextcloud.${key}.redisDatabase`,
        message: `${db}${stated ? "" : " (its default, from the sorted keys)"} is already nextcloud.${other}'s Redis database: give each instance its own`,
      });
    else owner.set(db, key);
    if (!stated && Object.keys(databases).length > 1)
      warnings.push({
        path: `nextcloud.${key}.redisDatabase`,
        message: `is not set: ${db} from the sorted keys, which changes when an instance whose key sorts first is added; name it`,
      });
  }
  return { errors, warnings };
}
