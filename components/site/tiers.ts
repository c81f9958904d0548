/**
 * How the Site creates each tier of `config/tiers.ts`: one entry per tier id (the compiler refuses a
 * tier without one), handing the tier's component the typed arguments it takes — the data tiers'
 * endpoints and readiness, the site's secrets, the exporters monitoring renders for the tier's guests,
 * the hosts' passthrough step — and collecting what the rest of the Site uses: guests (HA, firewall)
 * and generated admin logins.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { SiteSecrets } from "../../config/load";
import type { Tier } from "../../config/tiers";
import type { TierContext } from "../core/context";
import type { ExporterInstall } from "../core/handed-steps";
import { MariaDbCluster } from "../database";
import { Frappe } from "../frappe";
import { MoodleCluster } from "../moodle";
import { Monitoring } from "../monitoring";
import { NetworkServices } from "../network-services";
import { Nextcloud } from "../nextcloud";
import { Passbolt } from "../passbolt";
import { PrintServer } from "../print-server";
import type { LxcGuest } from "../proxmox/lxc-guest";
import type { ExporterSecretSource } from "../monitoring/site-input";
import { RedisCache } from "../redis";
import { SnipeIt } from "../snipeit";
import { WebApps } from "../webapps";
import { WebCluster } from "../web-cluster";
import { WindowsGpuVm } from "../windows";
import { MONITORING_NAME } from "./exporters";
import { databaseRequests, redisClients } from "./requests";
import { windowsGpuArgs } from "./windows";

export interface AdminLogin {
  user: string;
  password: pulumi.Output<string>;
}

/** What a tier's creation gets from the Site and the tiers created before it (the list's order). */
export interface SiteParts {
  ctx: TierContext;
  secrets: SiteSecrets;
  /** The exporters monitoring renders for the data tiers' guests, by the tier that installs them. */
  exporters: Record<ExporterSecretSource, ExporterInstall[]>;
  /** Filled by the database tier's creation. */
  database?: MariaDbCluster;
  /** Filled by the Redis tier's creation. */
  redis?: RedisCache;
  /** The hosts' GPU passthrough preparation, when there is one. */
  passthrough?: pulumi.Resource;
  child: pulumi.ComponentResourceOptions;
}

/** What the Site keeps of a created tier. */
export interface CreatedTier {
  guests: Record<string, LxcGuest>;
  /** Guests the firewall protects besides the LXC guests (the Windows VM). */
  vms?: Record<string, pulumi.CustomResource>;
  logins: Record<string, AdminLogin | undefined>;
}

const login = (user: string, password: pulumi.Output<string> | undefined) =>
  password ? { user, password } : undefined;

/** Each application waits only for what it uses: its database accounts, and Redis if it uses it. */
const dbReady = (p: SiteParts) => p.database?.applicationsReady ?? [];
const dataReady = (p: SiteParts) => [...dbReady(p), ...(p.redis?.ready ?? [])];

export const TIER_CREATORS: Record<Tier, (p: SiteParts) => CreatedTier[]> = {
  database(p) {
    const { ctx } = p;
    p.database = new MariaDbCluster(
      "database",
      { ctx, databases: databaseRequests(ctx.site, ctx.wiring), exporters: p.exporters.database },
      p.child,
    );
    return [{ guests: p.database.guests, logins: {} }];
  },
  redis(p) {
    p.redis = new RedisCache(
      "redis",
      { ctx: p.ctx, clients: redisClients(p.ctx.site), exporters: p.exporters.redis },
      p.child,
    );
    return [{ guests: p.redis.guests, logins: {} }];
  },
  nextcloud: (p) =>
    Object.keys(p.ctx.site.nextcloud ?? {})
      .sort()
      .map((instance) => {
        const name = `nextcloud-${instance}`;
        const nc = new Nextcloud(
          name,
          {
            ctx: p.ctx,
            instance,
            database: p.database!.endpoint,
            redis: p.redis!.endpoint,
            dependsOn: dataReady(p),
          },
          p.child,
        );
        return {
          guests: nc.guests,
          logins: { [name]: login(p.ctx.site.nextcloud![instance].adminUser, nc.adminPassword) },
        };
      }),
  frappe(p) {
    const erp = new Frappe(
      "frappe",
      { ctx: p.ctx, database: p.database!.endpoint, redis: p.redis!.endpoint, dependsOn: dataReady(p) },
      p.child,
    );
    return [{ guests: erp.guests, logins: { frappe: login("Administrator", erp.adminPassword) } }];
  },
  "snipe-it"(p) {
    const assets = new SnipeIt(
      "snipe-it",
      { ctx: p.ctx, database: p.database!.endpoint, dependsOn: dbReady(p) },
      p.child,
    );
    return [{ guests: assets.guests, logins: { "snipe-it": login("admin", assets.adminPassword) } }];
  },
  passbolt(p) {
    const vault = new Passbolt(
      "passbolt",
      { ctx: p.ctx, database: p.database!.endpoint, dependsOn: dbReady(p) },
      p.child,
    );
    return [{ guests: vault.guests, logins: {} }];
  },
  "print-server": (p) => [
    { guests: new PrintServer("print-server", { ctx: p.ctx }, p.child).guests, logins: {} },
  ],
  web: (p) => [{ guests: new WebApps("web", { ctx: p.ctx }, p.child).guests, logins: {} }],
  monitoring(p) {
    const mon = new Monitoring(MONITORING_NAME, { ctx: p.ctx, secrets: p.secrets }, p.child);
    return [{ guests: mon.guests, logins: { grafana: login("admin", mon.grafanaAdminPassword) } }];
  },
  "network-services"(p) {
    const ns = new NetworkServices("network-services", { ctx: p.ctx }, p.child);
    return [{ guests: ns.guests, logins: { adguard: login("admin", ns.adguardAdminPassword) } }];
  },
  moodle(p) {
    const lms = new MoodleCluster(
      "moodle",
      { ctx: p.ctx, database: p.database!.endpoint, redis: p.redis!.endpoint, dependsOn: dataReady(p) },
      p.child,
    );
    return [
      {
        guests: lms.guests,
        logins: {
          moodle: login(p.ctx.site.moodle!.adminUser, lms.adminPassword),
          "haproxy-stats": login("admin", lms.statsPassword),
        },
      },
    ];
  },
  "web-cluster": (p) =>
    Object.keys(p.ctx.site.webClusters ?? {})
      .sort()
      .map((cluster) => {
        const web = new WebCluster(
          `web-${cluster}`,
          {
            ctx: p.ctx,
            cluster,
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
      }),
  "windows-gpu"(p) {
    const { site, wiring, providers, factory } = p.ctx;
    const vm = new WindowsGpuVm(
      "windows-gpu",
      {
        ...windowsGpuArgs(site, wiring, providers, factory),
        dependsOn: p.passthrough ? [p.passthrough] : [],
      },
      p.child,
    );
    return [{ guests: {}, vms: { "windows-gpu": vm.vm }, logins: {} }];
  },
};
