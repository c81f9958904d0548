import { webClusterGuestKey } from "../../config/web-cluster-schema";
import { nextcloudAccountName } from "../../config/identifiers";
import type { SiteConfig } from "../../config/schema";
import { webClusterDatabaseName, webClusterRedisUser } from "../../config/web-cluster-schema";
import type { SiteWiring } from "../../config/wiring";
import type { DatabaseRequest } from "../database";
import type { RedisClient } from "../redis";

/** The database each application asks for, limited to the addresses of the guests that use it. */
export function databaseRequests(site: SiteConfig, wiring: SiteWiring): DatabaseRequest[] {
  const ipOf = (key: string) => wiring.guests.find((g) => g.key === key)!.ip;
  const requests: DatabaseRequest[] = [];
  for (const name of Object.keys(site.nextcloud ?? {}).sort()) {
    requests.push({ name: nextcloudAccountName(name), clientIps: [ipOf(`nextcloud-${name}`)] });
  }
  if (site.frappe) requests.push({ name: "frappe", clientIps: [ipOf("frappe")] });
  if (site.snipeIt) requests.push({ name: "snipeit", clientIps: [ipOf("snipe-it")] });
  if (site.passbolt) requests.push({ name: "passbolt", clientIps: [ipOf("passbolt")] });
  if (site.moodle) {
    requests.push({
      name: "moodle",
      clientIps: Object.keys(site.moodle.nodes)
        .sort()
        .map((k) => ipOf(`moodle-${k}`)),
    });
  }
  for (const [cluster, c] of Object.entries(site.webClusters ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (!c.database) continue;
    requests.push({
      name: webClusterDatabaseName(cluster, c),
      clientIps: Object.keys(c.nodes)
        .sort()
        .map((k) => ipOf(webClusterGuestKey(cluster, k))),
    });
  }
  return requests;
}

/** Applications that get their own Redis ACL user (one for all Moodle nodes: they share sessions). */
export function redisClients(site: SiteConfig): RedisClient[] {
  return [
    ...Object.keys(site.nextcloud ?? {})
      .sort()
      .map((n) => ({ name: nextcloudAccountName(n), kind: "nextcloud" as const })),
    ...(site.frappe ? [{ name: "frappe", kind: "frappe" as const }] : []),
    ...(site.moodle ? [{ name: "moodle", kind: "moodle" as const }] : []),
    ...Object.entries(site.webClusters ?? {})
      .filter(([, c]) => c.redisSessions && c.runtime.kind === "php")
      .map(([cluster]) => cluster)
      .sort()
      .map((cluster) => ({ name: webClusterRedisUser(cluster), kind: "web" as const })),
  ];
}
