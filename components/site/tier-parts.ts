/**
 * What the Site hands a tier's creation: the validated stack and its service graph, the guest factory,
 * the tiers created before it, and the small helpers every creator uses to cut the tier's own arguments
 * out of them (its stack key, a host with only its guests' plans, the site-wide values it takes).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { GuestPlan } from "../../config/inventory";
import type { SiteSecrets } from "../../config/load";
import type { SiteConfig } from "../../config/schema";
import type { Tier } from "../../config/tiers";
import type { SiteWiring } from "../../config/wiring";
import type { ConnectorInstall, ExporterInstall } from "../core/handed-steps";
import type { TierHost } from "../core/tier-host";
import type { MariaDbCluster } from "../database";
import type { GuestFactory } from "../proxmox/guest-factory";
import type { LxcGuest } from "../proxmox/lxc-guest";
import type { ExporterSecretSource } from "../monitoring/site-input";
import type { SiteProviders } from "../proxmox/providers";
import type { RedisCache } from "../redis";

export interface AdminLogin {
  user: string;
  password: pulumi.Output<string>;
}

/** What a tier's creation gets from the Site and the tiers created before it (the list's order). */
export interface SiteParts {
  site: SiteConfig;
  wiring: SiteWiring;
  providers: SiteProviders;
  factory: GuestFactory;
  /** On a monitored site, the node_exporter install every tier runs on the guests it creates. */
  nodeExporterScript?: string;
  /** The tunnel's connector install, run by the tier owning each connector guest. */
  tunnelConnector?: ConnectorInstall;
  /** Addresses of the tunnel connectors: the only proxies the applications trust. */
  trustedProxies: string[];
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

export const login = (user: string, password: pulumi.Output<string> | undefined) =>
  password ? { user, password } : undefined;

/** A tier's stack key: the Site creates a tier only when it has guests, so the stack lists it. */
export function sliceOf<K extends keyof SiteConfig>(site: SiteConfig, key: K): NonNullable<SiteConfig[K]> {
  const value = site[key];
  if (value === undefined || value === null) throw new Error(`${key}: a tier with guests but no stack key`);
  return value;
}

/** A data tier an application needs: its spec's `needs` make validation refuse a stack without it. */
export function provider<T>(tier: T | undefined, who: string, what: string): T {
  if (!tier) throw new Error(`${who}: needs the ${what} tier, which the stack does not list`);
  return tier;
}

/** Each application waits only for what it uses: its database accounts, and Redis if it uses it. */
export const dbReady = (p: SiteParts) => p.database?.applicationsReady ?? [];
export const dataReady = (p: SiteParts) => [...dbReady(p), ...(p.redis?.ready ?? [])];

/** The site-wide values every application behind the tunnel takes. */
export const appSite = (p: SiteParts) => ({
  trustedProxies: p.trustedProxies,
  adminEmail: p.site.site.adminEmails[0],
});

/** What a load-balanced tier takes from the site: the Proxmox nodes and provider, the network. */
export function clusterSite(p: SiteParts) {
  return {
    proxmoxNodes: p.site.proxmox.nodes,
    proxmoxProvider: p.providers.proxmox,
    networkCidr: p.site.network.cidr,
  };
}

/** A host with the plans of the guests `keep` selects (one Nextcloud instance, one web cluster). */
export function hostOf(p: SiteParts, keep: (g: GuestPlan) => boolean): TierHost {
  const { factory, nodeExporterScript, tunnelConnector } = p;
  return { factory, nodeExporterScript, tunnelConnector, plans: p.wiring.guests.filter(keep) };
}

/** A host with every guest of one tier. */
export function tierHost(p: SiteParts, tier: Tier): TierHost {
  return hostOf(p, (g) => g.tier === tier);
}

/** Addresses of the guests running cloudflared: the only proxies an origin trusts. */
export function trustedProxies(site: SiteConfig, guests: readonly GuestPlan[]): string[] {
  const keys = site.tunnel?.connectorGuests ?? [];
  return guests.filter((g) => keys.includes(g.key)).map((g) => g.ip);
}
