/**
 * The web cluster tier (`webClusters.<name>`): per cluster, HAProxy balancers, app nodes running PHP-FPM
 * or Node.js. Guest keys are
 * `<cluster>-<key>` (`webClusterGuestKey`).
 */
import { wireCluster, wireKeepalivedPeers } from "../../config/cluster-wiring";
import { PORTS } from "../../config/ports";
import type { ConfigProblem } from "../../config/problems";
import { defineTier, lxcPlan, type NeedUse } from "../../config/tier-spec";
import { checkWebClusters } from "../../config/web-cluster-checks";
import {
  webClusterDatabaseName,
  webClusterGuestKey,
  webClusterRedisUser,
} from "../../config/web-cluster-schema";

const sortedEntries = <T>(record: Record<string, T> | undefined) =>
  Object.entries(record ?? {}).sort(([a], [b]) => a.localeCompare(b));

export const webClusterTier = defineTier({
  id: "web-cluster",
  stackKey: "webClusters",
  defaultTemplate: "debian-12",
  guests(site) {
    return Object.entries(site.webClusters ?? {}).flatMap(([cluster, c]) => {
      const path = `webClusters.${cluster}`;
      const runtime = c.runtime.kind === "php" ? "nginx + PHP-FPM" : "nginx + Node.js";
      return [
        ...Object.entries(c.loadBalancers).map(([k, lb]) =>
          lxcPlan(
            site,
            this,
            webClusterGuestKey(cluster, k),
            `${path}.loadBalancers.${k}`,
            lb,
            `HAProxy load balancer (${cluster})`,
            false,
          ),
        ),
        ...Object.entries(c.nodes).map(([k, node]) =>
          lxcPlan(
            site,
            this,
            webClusterGuestKey(cluster, k),
            `${path}.nodes.${k}`,
            node,
            `App node (${cluster}, ${runtime})`,
            false,
          ),
        ),
      ];
    });
  },
  // A MariaDB account when `database` is set; PHP sessions in Redis unless `redisSessions: false`.
  needs(site) {
    return sortedEntries(site.webClusters).flatMap(([cluster, c]) => {
      const clients = Object.keys(c.nodes)
        .sort()
        .map((k) => webClusterGuestKey(cluster, k));
      const uses: NeedUse[] = [];
      if (c.database)
        uses.push({
          need: "database",
          account: webClusterDatabaseName(cluster, c),
          clients,
          path: `webClusters.${cluster}.database`,
        });
      if (c.redisSessions && c.runtime.kind === "php")
        uses.push({
          need: "redis",
          account: webClusterRedisUser(cluster),
          redisKind: "web",
          clients,
          path: `webClusters.${cluster}.redisSessions`,
          message: "keeps PHP sessions in Redis: add the redis key, or set redisSessions: false",
        });
      return uses;
    });
  },
  wire(t) {
    for (const [name, c] of Object.entries(t.site.webClusters ?? {})) {
      const lbs = Object.keys(c.loadBalancers).map((k) => webClusterGuestKey(name, k));
      wireCluster(
        {
          balancers: lbs,
          nodes: Object.keys(c.nodes).map((k) => webClusterGuestKey(name, k)),
          filesNode: c.sharedFiles?.node,
          front: c.vip ?? t.ip(lbs[0]),
          publicHostname: c.publicHostname,
          statsHostname: c.statsHostname,
          label: name,
          sharedLabel: `${name} shared files`,
        },
        t,
      );
      wireKeepalivedPeers(lbs, t);
    }
  },
  scrapeTargets: (site) =>
    Object.entries(site.webClusters ?? {}).flatMap(([name, c]) =>
      Object.entries(c.loadBalancers).map(([k, lb]) => ({
        job: "haproxy" as const,
        instance: lb.hostname,
        address: lb.ip,
        port: PORTS.haproxyMetrics,
        target: webClusterGuestKey(name, k),
      })),
    ),
  publicNames: (site) =>
    Object.entries(site.webClusters ?? {}).flatMap(([k, c]) => [
      { path: `webClusters.${k}.publicHostname`, name: c.publicHostname },
      { path: `webClusters.${k}.statsHostname`, name: c.statsHostname },
    ]),
  check(site, guests) {
    const errors: ConfigProblem[] = [];
    checkWebClusters(site, guests, errors);
    return { errors, warnings: [] };
  },
});
