import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { SiteSecrets } from "../../config/load";
import type { SiteConfig } from "../../config/schema";
import { siteTemplates } from "../../config/templates";
import { siteWiring, type SiteWiring } from "../../config/wiring";
import { MariaDbCluster } from "../database";
import { Frappe } from "../frappe";
import { MoodleCluster } from "../moodle";
import { Monitoring } from "../monitoring";
import { NetworkServices } from "../network-services";
import { Nextcloud } from "../nextcloud";
import { Passbolt } from "../passbolt";
import { BackupPlan } from "../proxmox/backups";
import { GuestFactory } from "../proxmox/guest-factory";
import { createProviders, type SiteProviders } from "../proxmox/providers";
import { TemplateStore } from "../proxmox/templates";
import { RedisCache } from "../redis";
import { SnipeIt } from "../snipeit";
import { CloudflareTunnel } from "../tunnel";
import { WebApps } from "../webapps";
import { WindowsGpuVm } from "../windows";
import type { TierContext } from "./context";
import { databaseRequests, redisClients } from "./requests";

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

  constructor(name: string, args: SiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:site:Site", name, {}, opts);
    const site = args.config;
    this.wiring = siteWiring(site);
    this.providers = createProviders(name, site, args.secrets, { parent: this });
    const proxmox = { parent: this, provider: this.providers.proxmox };

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
      { parent: this },
    );
    const factory = new GuestFactory(
      site,
      this.providers,
      templates.fileIds,
      args.secrets.proxmoxSshPrivateKey,
    );
    const ctx: TierContext = { site, wiring: this.wiring, factory };

    if (site.database)
      this.database = new MariaDbCluster(
        "database",
        { ctx, databases: databaseRequests(site, this.wiring) },
        { parent: this },
      );
    if (site.redis)
      this.redis = new RedisCache("redis", { ctx, clients: redisClients(site) }, { parent: this });
    // Each application waits only for what it uses: its database accounts, and Redis if it uses it.
    const dbReady = this.database?.applicationsReady ?? [];
    const dataReady = [...dbReady, ...(this.redis?.ready ?? [])];
    const database = this.database?.endpoint;
    const redis = this.redis?.endpoint;

    if (site.networkServices) new NetworkServices("network-services", { ctx }, { parent: this });
    for (const instance of Object.keys(site.nextcloud ?? {}).sort()) {
      new Nextcloud(
        `nextcloud-${instance}`,
        { ctx, instance, database: database!, redis: redis!, dependsOn: dataReady },
        { parent: this },
      );
    }
    if (site.frappe)
      new Frappe(
        "frappe",
        { ctx, database: database!, redis: redis!, dependsOn: dataReady },
        { parent: this },
      );
    if (site.snipeIt)
      new SnipeIt("snipe-it", { ctx, database: database!, dependsOn: dataReady }, { parent: this });
    if (site.passbolt)
      new Passbolt("passbolt", { ctx, database: database!, dependsOn: dataReady }, { parent: this });
    if (site.webApps) new WebApps("web", { ctx }, { parent: this });
    if (site.moodle)
      new MoodleCluster(
        "moodle",
        { ctx, database: database!, redis: redis!, dependsOn: dataReady },
        { parent: this },
      );
    if (site.monitoring)
      new Monitoring(
        "monitoring",
        { ctx, secrets: args.secrets, database: this.database, redis: this.redis },
        { parent: this },
      );

    const vm = site.windowsGpu;
    if (vm) {
      const plan = this.wiring.guests.find((g) => g.key === "windows-gpu")!;
      new WindowsGpuVm(
        "windows-gpu",
        {
          vmid: vm.vmid,
          name: vm.name,
          node: plan.node,
          cores: vm.cores,
          memoryMb: vm.memoryMb,
          diskGb: vm.diskGb,
          storage: vm.storage ?? site.proxmox.storage.rootfs,
          bridge: site.network.bridge,
          windowsIso: vm.windowsIso,
          virtioIso: vm.virtioIso,
          gpu: {
            address: vm.gpu.address,
            id: vm.gpu.ids[0],
            subsystemId: vm.gpu.subsystemId,
            iommuGroup: vm.gpu.iommuGroup,
          },
          gpuAudio: vm.gpu.audioAddress
            ? {
                address: vm.gpu.audioAddress,
                id: vm.gpu.ids[1] ?? vm.gpu.ids[0],
                subsystemId: vm.gpu.audioSubsystemId ?? vm.gpu.subsystemId,
                iommuGroup: vm.gpu.iommuGroup,
              }
            : undefined,
          tags: [site.site.slug, "windows-gpu", "proxmox-sites"],
          protect: plan.stateful,
          provider: this.providers.proxmox,
          connection: factory.connectionFor(plan),
        },
        { parent: this },
      );
    }

    if (site.tunnel && this.providers.cloudflare) {
      this.tunnel = new CloudflareTunnel(
        "tunnel",
        { site, published: this.wiring.published, provider: this.providers.cloudflare },
        { parent: this },
      );
    }

    if (site.backups) {
      new BackupPlan(
        "backups",
        {
          ...site.backups,
          storage: site.proxmox.storage.backups,
          mailTo: site.backups.mailTo ?? site.site.adminEmails,
          provider: this.providers.proxmox,
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
