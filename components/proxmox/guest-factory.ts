import type * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import ipaddr from "ipaddr.js";
import type { GuestPlan } from "../../config/inventory";
import type { SiteConfig } from "../../config/schema";
import { siteTemplates } from "../../config/templates";
import type { SiteProviders } from "./providers";
import { LxcGuest, type GuestVolume } from "./lxc-guest";
import type { NodeConnection } from "./provisioner";

/** What a tier may change from the site's defaults for one of its guests. */
export interface GuestOverrides {
  features?: { nesting?: boolean; keyctl?: boolean; fuse?: boolean; mounts?: string[] };
  volumes?: GuestVolume[];
  /** false only where the tier cannot work unprivileged (uses the root@pam provider). */
  unprivileged?: boolean;
}

/**
 * Whether Proxmox accepts the guest only from root@pam: a privileged container, or a container
 * feature other than nesting (keyctl, fuse, mount). An API token may set nesting alone.
 */
export function needsRootLogin(o: GuestOverrides): boolean {
  const f = o.features ?? {};
  return o.unprivileged === false || Boolean(f.keyctl || f.fuse || (f.mounts && f.mounts.length > 0));
}

const cpuUnitsByPriority = { high: 2048, medium: 1024, low: 512 } as const;

/**
 * Turns a guest of the validated inventory into an LxcGuest with the site's network, template,
 * tags, keys and provider, so tiers only state what differs.
 */
export class GuestFactory {
  constructor(
    private readonly site: SiteConfig,
    private readonly providers: SiteProviders,
    private readonly templateIds: Record<string, Record<string, pulumi.Output<string>>>,
    private readonly sshPrivateKey: pulumi.Output<string> | undefined,
  ) {}

  lxc(plan: GuestPlan, overrides: GuestOverrides, parent: pulumi.Resource): LxcGuest {
    const site = this.site;
    const templateKey = plan.template ?? "debian-12";
    const template = siteTemplates(site.templates)[templateKey];
    // Proxmox refuses these to any API token: only the guest that needs them logs in as root@pam.
    const provider: proxmoxve.Provider = needsRootLogin(overrides)
      ? this.providers.proxmoxRoot()
      : this.providers.proxmox;
    const [, prefixLength] = ipaddr.IPv4.parseCIDR(site.network.cidr);
    return new LxcGuest(
      plan.key,
      {
        vmid: plan.vmid,
        hostname: plan.hostname,
        node: plan.node,
        ip: plan.ip,
        prefixLength,
        gateway: site.network.gateway,
        dnsServers: site.network.dns,
        dnsDomain: site.site.internalDomain,
        bridge: site.network.bridge,
        cores: plan.cores,
        memoryMb: plan.memoryMb,
        swapMb: plan.swapMb,
        diskGb: plan.diskGb,
        storage: plan.storage ?? site.proxmox.storage.rootfs,
        templateFileId: this.templateIds[plan.node][templateKey],
        osType: template.osType,
        unprivileged: overrides.unprivileged ?? true,
        features: overrides.features,
        volumes: overrides.volumes,
        startupOrder: plan.startupOrder,
        cpuUnits: cpuUnitsByPriority[plan.priority],
        tags: [site.site.slug, plan.tier, "proxmox-sites"],
        description: `${plan.role} — ${site.site.client} (managed by proxmox-sites)`,
        sshPublicKeys: site.sshPublicKeys,
        protect: plan.stateful,
        provider,
      },
      { parent },
    );
  }

  /** SSH connection to the node that runs a guest, for GuestProvisioner. */
  connectionFor(plan: GuestPlan): NodeConnection {
    return this.connectionForNode(plan.node);
  }

  /** SSH connection to a Proxmox node by name. */
  connectionForNode(name: string): NodeConnection {
    const node = this.site.proxmox.nodes.find((n) => n.name === name) ?? this.site.proxmox.nodes[0];
    return { host: node.address, user: this.site.proxmox.sshUser, privateKey: this.sshPrivateKey };
  }
}
