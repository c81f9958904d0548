/**
 * The validated value of each tier's stack key, as the Site hands it to the tier's component: a
 * component takes its own slice (and the few site-wide values it uses) as typed arguments, never the
 * whole SiteConfig. Pure: types only.
 */
import type { SiteConfig } from "./schema";

/** A stack key's value once the stack lists it (the Site creates a tier only then). */
type Slice<K extends keyof SiteConfig> = NonNullable<SiteConfig[K]>;

export type DatabaseConfig = Slice<"database">;
/** One Nextcloud instance (`nextcloud.<instance>`). */
export type NextcloudConfig = Slice<"nextcloud">[string];
export type FrappeConfig = Slice<"frappe">;
/** Snipe-IT and Passbolt: a guest and its public hostname. */
export type SimpleAppConfig = Slice<"snipeIt">;
export type PrintServerConfig = Slice<"printServer">;
export type WebAppsConfig = Slice<"webApps">;
export type MonitoringConfig = Slice<"monitoring">;
export type NetworkServicesConfig = Slice<"networkServices">;
export type MoodleConfig = Slice<"moodle">;
export type { WebClusterConfig } from "./web-cluster-schema";
export type TunnelConfig = Slice<"tunnel">;
export type CloudflareConfig = Slice<"cloudflare">;

/** The site network (`network`): the few tiers that render it take only the fields they use. */
export type NetworkConfig = SiteConfig["network"];
