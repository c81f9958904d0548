import type { SiteConfig } from "../../config/schema";
import { siteNeeds, type SiteWiring } from "../../config/wiring";
import type { DatabaseRequest } from "../database";
import type { RedisClient } from "../redis";

/**
 * The database each tier asks for (its spec's `needs`), limited to the addresses of the guests that
 * use it: the same clients the service graph opens the database port to.
 */
export function databaseRequests(site: SiteConfig, wiring: SiteWiring): DatabaseRequest[] {
  const ipOf = (key: string) => wiring.guests.find((g) => g.key === key)!.ip;
  return siteNeeds(site)
    .filter((use) => use.need === "database")
    .map((use) => ({ name: use.account, clientIps: use.clients.map(ipOf) }));
}

/** The Redis ACL user each tier asks for (one for all Moodle nodes: they share sessions). */
export function redisClients(site: SiteConfig): RedisClient[] {
  return siteNeeds(site)
    .filter((use) => use.need === "redis")
    .map((use) => {
      if (!use.redisKind) throw new Error(`${use.path}: a Redis need without its ACL profile`);
      return { name: use.account, kind: use.redisKind };
    });
}
