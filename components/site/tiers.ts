/**
 * How the Site creates each tier of `config/tiers.ts`: one entry per tier id (the compiler refuses a
 * tier without one), handing the tier's component the typed arguments it takes — its own stack key, a
 * host with only its guests' plans, the site-wide values it uses, the data tiers' endpoints and
 * readiness, the site's secrets, the exporters monitoring renders for the tier's guests, the hosts'
 * passthrough step — and collecting what the rest of the Site uses: guests (HA, firewall) and generated
 * admin logins.
 */
import { nextcloudRedisDatabases } from "../../config/assignments";
import type { Tier } from "../../config/tiers";
import { webClusterGuestKey } from "../../config/web-cluster-schema";
import { MariaDbCluster } from "../database";
import { Frappe } from "../frappe";
import { MoodleCluster } from "../moodle";
import { Monitoring } from "../monitoring";
import { NetworkServices } from "../network-services";
import { Nextcloud } from "../nextcloud";
import { Passbolt } from "../passbolt";
import { PrintServer } from "../print-server";
import { RedisCache } from "../redis";
import { SnipeIt } from "../snipeit";
import { WebApps } from "../webapps";
import { WebCluster } from "../web-cluster";
import { WindowsGpuVm } from "../windows";
import { databaseRequests, redisClients } from "./requests";
import {
  appSite,
  clusterSite,
  dataReady,
  dbReady,
  hostOf,
  login,
  provider,
  sliceOf,
  tierHost,
  type CreatedTier,
  type SiteParts,
} from "./tier-parts";
import { MONITORING_NAME } from "./exporters";
import { windowsGpuArgs } from "./windows";

export type { AdminLogin, CreatedTier, SiteParts } from "./tier-parts";

export const TIER_CREATORS: Record<Tier, (p: SiteParts) => CreatedTier[]> = {
  database(p) {
    p.database = new MariaDbCluster(
      "database",
      {
        host: tierHost(p, "database"),
        config: sliceOf(p.site, "database"),
        databases: databaseRequests(p.site, p.wiring),
        exporters: p.exporters.database,
      },
      p.child,
    );
    return [{ guests: p.database.guests, logins: {} }];
  },
  redis(p) {
    p.redis = new RedisCache(
      "redis",
      { host: tierHost(p, "redis"), clients: redisClients(p.site), exporters: p.exporters.redis },
      p.child,
    );
    return [{ guests: p.redis.guests, logins: {} }];
  },
  nextcloud(p) {
    const instances = sliceOf(p.site, "nextcloud");
    const redisDbs = nextcloudRedisDatabases(p.site);
    return Object.keys(instances)
      .sort()
      .map((instance) => {
        const name = `nextcloud-${instance}`;
        const config = instances[instance];
        const nc = new Nextcloud(
          name,
          {
            host: hostOf(p, (g) => g.key === name),
            instance,
            config,
            redisDbIndex: redisDbs[instance],
            trustedProxies: p.trustedProxies,
            timezone: p.site.site.timezone,
            database: provider(p.database, name, "database").endpoint,
            redis: provider(p.redis, name, "Redis").endpoint,
            dependsOn: dataReady(p),
          },
          p.child,
        );
        return { guests: nc.guests, logins: { [name]: login(config.adminUser, nc.adminPassword) } };
      });
  },
  frappe(p) {
    const erp = new Frappe(
      "frappe",
      {
        host: tierHost(p, "frappe"),
        config: sliceOf(p.site, "frappe"),
        trustedProxies: p.trustedProxies,
        database: provider(p.database, "frappe", "database").endpoint,
        redis: provider(p.redis, "frappe", "Redis").endpoint,
        dependsOn: dataReady(p),
      },
      p.child,
    );
    return [{ guests: erp.guests, logins: { frappe: login("Administrator", erp.adminPassword) } }];
  },
  "snipe-it"(p) {
    const assets = new SnipeIt(
      "snipe-it",
      {
        host: tierHost(p, "snipe-it"),
        config: sliceOf(p.site, "snipeIt"),
        ...appSite(p),
        timezone: p.site.site.timezone,
        database: provider(p.database, "snipe-it", "database").endpoint,
        dependsOn: dbReady(p),
      },
      p.child,
    );
    return [{ guests: assets.guests, logins: { "snipe-it": login("admin", assets.adminPassword) } }];
  },
  passbolt(p) {
    const vault = new Passbolt(
      "passbolt",
      {
        host: tierHost(p, "passbolt"),
        config: sliceOf(p.site, "passbolt"),
        ...appSite(p),
        database: provider(p.database, "passbolt", "database").endpoint,
        dependsOn: dbReady(p),
      },
      p.child,
    );
    return [{ guests: vault.guests, logins: {} }];
  },
  "print-server"(p) {
    const printing = new PrintServer(
      "print-server",
      {
        host: tierHost(p, "print-server"),
        config: sliceOf(p.site, "printServer"),
        internalDomain: p.site.site.internalDomain,
        network: p.site.network,
      },
      p.child,
    );
    return [{ guests: printing.guests, logins: {} }];
  },
  web(p) {
    const web = new WebApps(
      "web",
      { host: tierHost(p, "web"), config: sliceOf(p.site, "webApps"), trustedProxies: p.trustedProxies },
      p.child,
    );
    return [{ guests: web.guests, logins: {} }];
  },
  monitoring(p) {
    const mon = new Monitoring(
      MONITORING_NAME,
      {
        host: tierHost(p, "monitoring"),
        config: sliceOf(p.site, "monitoring"),
        siteSlug: p.site.site.slug,
        siteDomain: p.site.site.domain,
        adminEmails: p.site.site.adminEmails,
        targets: p.wiring.scrapeTargets,
        secrets: p.secrets,
      },
      p.child,
    );
    return [{ guests: mon.guests, logins: { grafana: login("admin", mon.grafanaAdminPassword) } }];
  },
  "network-services"(p) {
    const ns = new NetworkServices(
      "network-services",
      {
        host: tierHost(p, "network-services"),
        config: sliceOf(p.site, "networkServices"),
        network: p.site.network,
        internalDomain: p.site.site.internalDomain,
        siteGuests: p.wiring.guests,
      },
      p.child,
    );
    return [{ guests: ns.guests, logins: { adguard: login("admin", ns.adguardAdminPassword) } }];
  },
  moodle(p) {
    const config = sliceOf(p.site, "moodle");
    const lms = new MoodleCluster(
      "moodle",
      {
        host: tierHost(p, "moodle"),
        config,
        ...clusterSite(p),
        siteName: p.site.site.client,
        ...appSite(p),
        database: provider(p.database, "moodle", "database").endpoint,
        redis: provider(p.redis, "moodle", "Redis").endpoint,
        dependsOn: dataReady(p),
      },
      p.child,
    );
    return [
      {
        guests: lms.guests,
        logins: {
          moodle: login(config.adminUser, lms.adminPassword),
          "haproxy-stats": login("admin", lms.statsPassword),
        },
      },
    ];
  },
  "web-cluster"(p) {
    const clusters = sliceOf(p.site, "webClusters");
    return Object.keys(clusters)
      .sort()
      .map((cluster) => {
        const config = clusters[cluster];
        const keys = new Set(
          [...Object.keys(config.loadBalancers), ...Object.keys(config.nodes)].map((k) =>
            webClusterGuestKey(cluster, k),
          ),
        );
        const web = new WebCluster(
          `web-${cluster}`,
          {
            host: hostOf(p, (g) => keys.has(g.key)),
            cluster,
            config,
            ...clusterSite(p),
            trustedProxies: p.trustedProxies,
            database: p.database?.endpoint,
            redis: p.redis?.endpoint,
            dependsOn: dataReady(p),
          },
          p.child,
        );
        return {
          guests: web.guests,
          logins: { [`haproxy-stats-${cluster}`]: login("admin", web.statsPassword) },
        };
      });
  },
  "windows-gpu"(p) {
    const vm = new WindowsGpuVm(
      "windows-gpu",
      {
        ...windowsGpuArgs(p.site, p.wiring, p.providers, p.factory),
        dependsOn: p.passthrough ? [p.passthrough] : [],
      },
      p.child,
    );
    return [{ guests: {}, vms: { "windows-gpu": vm.vm }, logins: {} }];
  },
};
