/**
 * The Frappe renderer's input from the validated stack and the data tiers' endpoints. Pure: no Pulumi
 * import (passwords stay in the component and reach the script on its stdin prelude).
 */
import type { FrappeConfig } from "../../config/tier-configs";
import type { FrappeSiteInput } from "./inputs";

export type { FrappeConfig };

/**
 * Redis databases of Frappe: fixed, high numbers, so adding a Nextcloud instance (databases 1, 2, …)
 * never moves Frappe's queues, and Frappe's KEYS (granted by its ACL) lists only its own keys.
 */
export const FRAPPE_REDIS_DBS = { cacheDb: 14, queueDb: 15 } as const;

/** Trusted when no tunnel connector exists: loopback only, so no LAN client can set its own address. */
export const NO_TRUSTED_PROXY = "127.0.0.1";

export interface FrappeSiteFacts {
  frappe: FrappeConfig;
  /** The Frappe guest's address: the frontend is published there. */
  guestIp: string;
  /** Tunnel origin port (`PORTS.frappe`). */
  httpPort: number;
  /** The database account (`DatabaseEndpoint.credentials.frappe`): database and user share one name. */
  database: { host: string; port: number; database: string; user: string };
  /** The Redis ACL user (`RedisEndpoint.users.frappe`). */
  redis: { host: string; port: number; user: string };
  /** Addresses of the tunnel connectors (`FrappeArgs.trustedProxies`). */
  trustedProxies: readonly string[];
}

/** The renderer input: siteName defaults to the public hostname; the first connector is the trusted proxy. */
export function frappeSiteInputFor(facts: FrappeSiteFacts): FrappeSiteInput {
  const { frappe, database, redis } = facts;
  if (database.user !== database.database) {
    throw new Error(
      `frappe: Frappe v15 logs in as a user named like its database, found user ${database.user} for database ${database.database}`,
    );
  }
  return {
    siteName: frappe.siteName ?? frappe.publicHostname,
    image: { name: frappe.image, tag: frappe.imageTag },
    apps: frappe.apps,
    database: { host: database.host, port: database.port, name: database.database },
    redis: { host: redis.host, port: redis.port, user: redis.user, ...FRAPPE_REDIS_DBS },
    bindAddress: facts.guestIp,
    httpPort: facts.httpPort,
    trustedProxy: facts.trustedProxies[0] ?? NO_TRUSTED_PROXY,
  };
}
