import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { SiteSecrets } from "../../config/load";
import type { SiteConfig } from "../../config/schema";
import { moodleRoles } from "../../config/resilience";
import { siteTemplates } from "../../config/templates";
import { siteWiring, type SiteWiring } from "../../config/wiring";
import { MariaDbCluster } from "../database";
import { SiteFirewall } from "../firewall";
import { Frappe } from "../frappe";
import { MoodleCluster } from "../moodle";
import { Monitoring } from "../monitoring";
import { NODE_EXPORTER_SCRIPT } from "../monitoring/exporters";
import { NetworkServices } from "../network-services";
import { Nextcloud } from "../nextcloud";
import { Passbolt } from "../passbolt";
import { PrintServer } from "../print-server";
import { BackupPlan } from "../proxmox/backups";
import { GuestFactory } from "../proxmox/guest-factory";
import { HaTier } from "../proxmox/ha";
import { HostPreparation } from "../proxmox/host-preparation";
import type { LxcGuest } from "../proxmox/lxc-guest";
import { createProviders, type SiteProviders } from "../proxmox/providers";
import { TemplateStore } from "../proxmox/templates";
import { RedisCache } from "../redis";
import { SnipeIt } from "../snipeit";
import { CloudflareTunnel } from "../tunnel";
import { WebApps } from "../webapps";
import { WebCluster } from "../web-cluster";
import { WindowsGpuVm } from "../windows";
import type { TierContext } from "../core/context";
import type { GuestTier } from "../core/guest-tier";
import { backupPlanArgs } from "./backups";
import { databaseRequests, redisClients } from "./requests";
import { windowsGpuArgs } from "./windows";

export interface SiteArgs {
  config: SiteConfig;
  secrets: SiteSecrets;
}

/** A client's whole site: composes the tiers its stack lists and wires them together. */
export class Site extends pulumi.ComponentResource {
  readonly wiring: SiteWiring;
  readonly providers: SiteProviders;
  readonly database?: MariaDbCluster;
  readonly redis?: RedisCache;
  readonly tunnel?: CloudflareTunnel;
  readonly hosts: HostPreparation;
  /** Every LXC guest of the site by key. */
  readonly guests: Record<string, LxcGuest> = {};
  /** Generated first administrator logins of the applications (passwords secret). */
  readonly adminLogins: Record<string, { user: string; password: pulumi.Output<string> }> = {};

  constructor(name: string, args: SiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:site:Site", name, {}, opts);
    const site = args.config;
    this.wiring = siteWiring(site);
    this.providers = createProviders(name, site, args.secrets, { parent: this });
    const proxmox = { parent: this, provider: this.providers.proxmox };
    const child = { parent: this };

    // Schedules (backups at 02:00) mean the site's local time only if the nodes run in it.
    for (const node of site.proxmox.nodes) {
      new proxmoxve.TimeLegacy(
        `${node.name}-timezone`,
        { nodeName: node.name, timeZone: site.site.timezone },
        proxmox,
      );
    }
    const needed: Record<string, string[]> = {};
    for (const g of this.wiring.guests) if (g.template) (needed[g.node] ??= []).push(g.template);
    const templates = new TemplateStore(
      "templates",
      {
        templates: siteTemplates(site.templates),
        needed,
        datastoreId: site.proxmox.storage.templates,
        provider: this.providers.proxmox,
      },
      child,
    );
    const factory = new GuestFactory(
      site,
      this.providers,
      templates.fileIds,
      args.secrets.proxmoxSshPrivateKey,
    );
    const ctx: TierContext = {
      site,
      wiring: this.wiring,
      factory,
      providers: this.providers,
      nodeExporterScript: site.monitoring ? NODE_EXPORTER_SCRIPT : undefined,
    };
    const tiers: GuestTier[] = [];

    if (site.database)
      this.database = new MariaDbCluster(
        "database",
        { ctx, databases: databaseRequests(site, this.wiring) },
        child,
      );
    if (site.redis) this.redis = new RedisCache("redis", { ctx, clients: redisClients(site) }, child);
    tiers.push(
      ...[this.database, this.redis].filter((t): t is MariaDbCluster | RedisCache => t !== undefined),
    );
    // Each application waits only for what it uses: its database accounts, and Redis if it uses it.
    const dbReady = this.database?.applicationsReady ?? [];
    const dataReady = [...dbReady, ...(this.redis?.ready ?? [])];
    const database = this.database?.endpoint;
    const redis = this.redis?.endpoint;

    const login = (name: string, user: string, password: pulumi.Output<string> | undefined) => {
      if (password) this.adminLogins[name] = { user, password };
    };
    if (site.networkServices) {
      const ns = new NetworkServices("network-services", { ctx }, child);
      login("adguard", "admin", ns.adguardAdminPassword);
      tiers.push(ns);
    }
    for (const instance of Object.keys(site.nextcloud ?? {}).sort()) {
      const nc = new Nextcloud(
        `nextcloud-${instance}`,
        { ctx, instance, database: database!, redis: redis!, dependsOn: dataReady },
        child,
      );
      login(`nextcloud-${instance}`, site.nextcloud![instance].adminUser, nc.adminPassword);
      tiers.push(nc);
    }
    if (site.frappe) {
      const erp = new Frappe(
        "frappe",
        { ctx, database: database!, redis: redis!, dependsOn: dataReady },
        child,
      );
      login("frappe", "Administrator", erp.adminPassword);
      tiers.push(erp);
    }
    if (site.snipeIt) {
      const assets = new SnipeIt("snipe-it", { ctx, database: database!, dependsOn: dbReady }, child);
      login("snipe-it", "admin", assets.adminPassword);
      tiers.push(assets);
    }
    if (site.passbolt)
      tiers.push(new Passbolt("passbolt", { ctx, database: database!, dependsOn: dbReady }, child));
    if (site.printServer) tiers.push(new PrintServer("print-server", { ctx }, child));
    if (site.webApps) tiers.push(new WebApps("web", { ctx }, child));
    if (site.moodle) {
      const lms = new MoodleCluster(
        "moodle",
        { ctx, database: database!, redis: redis!, dependsOn: dataReady },
        child,
      );
      login("moodle", site.moodle.adminUser, lms.adminPassword);
      login("haproxy-stats", "admin", lms.statsPassword);
      tiers.push(lms);
    }
    for (const cluster of Object.keys(site.webClusters ?? {}).sort()) {
      const web = new WebCluster(
        `web-${cluster}`,
        { ctx, cluster, database, redis, dependsOn: dataReady },
        child,
      );
      login(`haproxy-stats-${cluster}`, "admin", web.statsPassword);
      tiers.push(web);
    }
    if (site.monitoring) {
      const mon = new Monitoring(
        "monitoring",
        { ctx, secrets: args.secrets, database: this.database, redis: this.redis },
        child,
      );
      login("grafana", "admin", mon.grafanaAdminPassword);
      tiers.push(mon);
    }
    for (const tier of tiers) Object.assign(this.guests, tier.guests);
    this.enableHa(site, this.guests);
    this.hosts = new HostPreparation(
      "hosts",
      {
        site,
        wiring: this.wiring,
        connectionFor: (node) => factory.connectionForNode(node),
      },
      child,
    );
    const vm = site.windowsGpu
      ? new WindowsGpuVm(
          "windows-gpu",
          {
            ...windowsGpuArgs(site, this.wiring, this.providers, factory),
            dependsOn: this.hosts.passthrough ? [this.hosts.passthrough] : [],
          },
          child,
        )
      : undefined;

    if (site.tunnel && this.providers.cloudflare) {
      this.tunnel = new CloudflareTunnel(
        "tunnel",
        {
          site,
          published: this.wiring.published,
          provider: this.providers.cloudflare,
          connectors: site.tunnel.connectorGuests.map((key) => {
            const plan = this.wiring.guests.find((g) => g.key === key)!;
            return { key, vmid: plan.vmid, connection: factory.connectionFor(plan), guest: this.guests[key] };
          }),
        },
        child,
      );
    }
    if (site.firewall.enabled) {
      new SiteFirewall(
        "firewall",
        {
          site,
          wiring: this.wiring,
          provider: this.providers.proxmox,
          guests: { ...this.guests, ...(vm ? { "windows-gpu": vm.vm } : {}) },
        },
        child,
      );
    }
    if (site.backups) {
      new BackupPlan(
        "backups",
        backupPlanArgs(site, this.wiring, this.providers.proxmox, (node) => factory.connectionForNode(node)),
        child,
      );
    }
    this.registerOutputs({ rebootRequired: this.hosts.rebootRequired });
  }

  /**
   * Guests marked `ha: true` become HA resources, per tier: each prefers its own node, and the Moodle
   * balancers and app nodes are kept on different nodes.
   */
  private enableHa(site: SiteConfig, guests: Record<string, LxcGuest>) {
    const byTier = new Map<string, { key: string; sid: string; node: string }[]>();
    for (const g of this.wiring.guests.filter((x) => x.ha && x.kind === "lxc")) {
      byTier.set(g.tier, [...(byTier.get(g.tier) ?? []), { key: g.key, sid: `ct:${g.vmid}`, node: g.node }]);
    }
    const roles = moodleRoles(site);
    for (const [tier, resources] of [...byTier.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const sidsOf = (keys: string[]) => resources.filter((r) => keys.includes(r.key)).map((r) => r.sid);
      new HaTier(
        `ha-${tier}`,
        {
          resources,
          nodes: site.proxmox.nodes.map((n) => n.name),
          spread: tier === "moodle" ? { balancers: sidsOf(roles.balancers), apps: sidsOf(roles.apps) } : {},
          provider: this.providers.proxmox,
          dependsOn: resources.map((r) => guests[r.key]),
        },
        { parent: this },
      );
    }
  }
}
