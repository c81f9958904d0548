/**
 * What a tier declares about itself, and the types of the site's plan it contributes to (guests,
 * service edges, published names, scrape targets). Each tier's `spec.ts` (beside its component in
 * `components/<tier>/`) fills one `TierSpec`; `config/tiers.ts` lists them, and the inventory, the
 * service graph, the tier cross-checks and the database/Redis requests are loops over that list.
 * Pure: no Pulumi import.
 */
import type { LxcGuestConfig } from "./guest";
import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";
import type { Endpoint, ServiceEdge } from "./service-edge";

export type { Endpoint, ServiceEdge } from "./service-edge";

/** One guest of the site as the plan, the checks and the components see it. */
export interface GuestPlan {
  /** Stable logical name, e.g. nextcloud-bowbo; also the resource name. */
  key: string;
  /** The `id` of the tier that owns it (also names its HA group: do not rename). */
  tier: string;
  kind: "lxc" | "vm";
  /** Where the guest is defined in the stack file, for error messages. */
  configPath: string;
  vmid: number;
  hostname: string;
  ip: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  /** Node name; the first node when the stack does not say. */
  node: string;
  priority: "high" | "medium" | "low";
  role: string;
  /** Holds data that must survive: protected unless the stack says otherwise. */
  stateful: boolean;
  /** Template key of an LXC guest. */
  template?: string;
  swapMb?: number;
  /** Root-disk storage when the stack overrides proxmox.storage.rootfs. */
  storage?: string;
  startupOrder?: number;
  /** Managed by Proxmox HA (restarted or moved when its node fails). */
  ha: boolean;
}

/** A hostname published through the tunnel. */
export interface PublishedService {
  hostname: string;
  /** Guest key that serves it, or "host:<node>". */
  target: string;
  /** Origin URL cloudflared connects to. */
  origin: string;
  /** Admin tools sit behind Cloudflare Access; public apps use their own login. */
  admin: boolean;
  /** Only the Proxmox UI's self-signed origin certificate is not verified. */
  noTlsVerify?: boolean;
  description: string;
}

/** An exporter Prometheus scrapes. */
export interface ScrapeTarget {
  job: "node" | "mysqld" | "redis" | "haproxy" | "proxmox";
  instance: string;
  address: string;
  port: number;
  /** Guest key that runs the exporter, or "host:<node>". */
  target: string;
}

/** A service one tier takes from another tier of the same stack. */
export type TierNeed = "database" | "redis";

/** What a tier takes from a providing tier: an account, used by some of its guests. */
export interface NeedUse {
  need: TierNeed;
  /** The database (and its login) or the Redis ACL user the tier asks for. */
  account: string;
  /** Which Redis ACL profile the account gets (Redis only). */
  redisKind?: "nextcloud" | "frappe" | "moodle" | "web";
  /** Guest keys that connect to the provider with this account. */
  clients: string[];
  /** Where a missing provider is reported, and the message (default: "needs a <need> tier: …"). */
  path: string;
  message?: string;
}

/** What a tier's `wire` gets: the site, its guests, and the collectors of the service graph. */
export interface WiringTools {
  site: SiteConfig;
  guests: readonly GuestPlan[];
  has(key: string): boolean;
  ip(key: string): string;
  /** The admin networks. */
  admins: Endpoint;
  /** The site's LAN. */
  lan: Endpoint;
  /** What reaches a published origin: the tunnel's connectors and the admins. */
  originClients: Endpoint[];
  /** Every need of every tier of the site (the providers open their ports to these). */
  needUses: readonly NeedUse[];
  /** What the site's monitoring scrapes (empty without monitoring). */
  scrapeTargets: readonly ScrapeTarget[];
  edge(e: ServiceEdge): void;
  tcp(from: Endpoint, to: string, port: number, purpose: string): void;
  udp(from: Endpoint, to: string, port: number, purpose: string): void;
  /** Publishes a hostname; its origin port is opened to the origin clients. */
  publish(p: PublishedService): void;
}

export interface TierChecks {
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

/**
 * Everything the plan knows about one tier. Only `id`, `stackKey` and `guests` are required; a tier
 * without edges, needs or checks leaves those out.
 */
export interface TierSpec<Id extends string = string> {
  /** The tier's name in the plan (`GuestPlan.tier`, HA group `ha-<id>`): stable, URNs use it. */
  id: Id;
  /** Its key in the stack file. */
  stackKey: keyof SiteConfig;
  /** The service it provides to other tiers (their `needs` name it). */
  provides?: TierNeed;
  /** The template its LXC guests use when the stack does not name one. */
  defaultTemplate?: string;
  /** Its guests (the inventory sorts all guests by VMID). */
  guests(site: SiteConfig): GuestPlan[];
  /** What it takes from other tiers (database accounts, Redis users), with the guests that connect. */
  needs?(site: SiteConfig): NeedUse[];
  /** The edges it opens, the names it publishes. */
  wire?(t: WiringTools): void;
  /** The exporters Prometheus scrapes on its guests (beyond every LXC guest's node exporter). */
  scrapeTargets?(site: SiteConfig, guests: readonly GuestPlan[]): ScrapeTarget[];
  /** The targets this tier scrapes (the monitoring tier), given every tier's exporters. */
  scrapes?(
    site: SiteConfig,
    guests: readonly GuestPlan[],
    exporters: readonly ScrapeTarget[],
  ): ScrapeTarget[];
  /** Public hostnames it claims, by stack path (checked to be unique and inside the site's domain). */
  publicNames?(site: SiteConfig): { path: string; name: string | undefined }[];
  /** Addresses it claims besides its guests' (a floating VIP), checked like guest addresses. */
  addresses?(site: SiteConfig): { path: string; ip: string }[];
  /** Its own cross-checks (its keys against the rest of the stack). */
  check?(site: SiteConfig, guests: readonly GuestPlan[]): TierChecks;
}

/** Keeps a spec's literal `id` (the list of tiers derives the `Tier` union from it). */
export function defineTier<const Id extends string>(spec: TierSpec<Id>): TierSpec<Id> {
  return spec;
}

/** The plan of an LXC guest from its stack entry. */
export function lxcPlan(
  site: SiteConfig,
  spec: Pick<TierSpec, "id" | "defaultTemplate">,
  key: string,
  configPath: string,
  guest: LxcGuestConfig,
  role: string,
  stateful: boolean,
): GuestPlan {
  return {
    key,
    tier: spec.id,
    kind: "lxc",
    configPath,
    vmid: guest.vmid,
    hostname: guest.hostname,
    ip: guest.ip,
    cores: guest.cores,
    memoryMb: guest.memoryMb,
    diskGb: guest.diskGb,
    node: guest.node ?? site.proxmox.nodes[0].name,
    priority: guest.priority,
    role,
    stateful: guest.protect ?? (stateful && site.protectStateful),
    template: guest.template ?? spec.defaultTemplate,
    swapMb: guest.swapMb,
    storage: guest.storage,
    startupOrder: guest.startupOrder,
    ha: guest.ha,
  };
}
