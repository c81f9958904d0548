import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { SiteSecrets } from "../../config/load";
import type { SiteConfig } from "../../config/schema";
import { moodleRoles } from "../../config/resilience";
import { siteTemplates } from "../../config/templates";
import { TIERS } from "../../config/tiers";
import { siteWiring, type SiteWiring } from "../../config/wiring";
import type { MariaDbCluster } from "../database";
import type { RedisCache } from "../redis";
import { SiteFirewall } from "../firewall";
import { NODE_EXPORTER_SCRIPT } from "../monitoring/exporters";
import { BackupPlan } from "../proxmox/backups";
import { GuestFactory } from "../proxmox/guest-factory";
import { HaTier } from "../proxmox/ha";
import { HostPreparation } from "../proxmox/host-preparation";
import type { LxcGuest } from "../proxmox/lxc-guest";
import { createProviders, type SiteProviders } from "../proxmox/providers";
import { TemplateStore } from "../proxmox/templates";
import { CloudflareTunnel } from "../tunnel";
import { backupPlanArgs } from "./backups";
import { exporterInstalls } from "./exporters";
import { trustedProxies } from "./tier-parts";
import { TIER_CREATORS, type AdminLogin, type SiteParts } from "./tiers";

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
  readonly adminLogins: Record<string, AdminLogin> = {};

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
    // Before the tiers: the tier owning a connector guest installs the connector with the tunnel's token.
    if (site.tunnel && site.cloudflare && this.providers.cloudflare) {
      this.tunnel = new CloudflareTunnel(
        "tunnel",
        {
          config: site.tunnel,
          cloudflare: site.cloudflare,
          siteSlug: site.site.slug,
          adminEmails: site.site.adminEmails,
          published: this.wiring.published,
          provider: this.providers.cloudflare,
        },
        child,
      );
    }
    // Hosts first: the Windows GPU VM starts after their passthrough preparation.
    this.hosts = new HostPreparation(
      "hosts",
      {
        site,
        wiring: this.wiring,
        connectionFor: (node) => factory.connectionForNode(node),
      },
      child,
    );
    const parts: SiteParts = {
      site,
      wiring: this.wiring,
      providers: this.providers,
      factory,
      nodeExporterScript: site.monitoring ? NODE_EXPORTER_SCRIPT : undefined,
      tunnelConnector: this.tunnel?.connector,
      trustedProxies: trustedProxies(site, this.wiring.guests),
      secrets: args.secrets,
      exporters: exporterInstalls(this.wiring, this),
      passthrough: this.hosts.passthrough,
      child,
    };
    const vms: Record<string, pulumi.CustomResource> = {};
    for (const tier of TIERS) {
      // A tier the stack does not list has no guests in the plan.
      if (!this.wiring.guests.some((g) => g.tier === tier.id)) continue;
      for (const created of TIER_CREATORS[tier.id](parts)) {
        Object.assign(this.guests, created.guests);
        Object.assign(vms, created.vms ?? {});
        for (const [key, login] of Object.entries(created.logins)) if (login) this.adminLogins[key] = login;
      }
    }
    this.database = parts.database;
    this.redis = parts.redis;
    this.enableHa(site, this.guests);

    if (site.firewall.enabled) {
      new SiteFirewall(
        "firewall",
        {
          site,
          wiring: this.wiring,
          provider: this.providers.proxmox,
          guests: { ...this.guests, ...vms },
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
