import type { GuestPlan } from "../../config/inventory";
import type { SiteConfig } from "../../config/schema";
import type { SiteWiring } from "../../config/wiring";
import type { GuestFactory } from "../proxmox/guest-factory";
import type { SiteProviders } from "../proxmox/providers";
import type { ConnectorInstall } from "./handed-steps";

/** What every tier component receives from the Site: the validated config and shared builders. */
export interface TierContext {
  site: SiteConfig;
  wiring: SiteWiring;
  factory: GuestFactory;
  /** For the few cluster-level resources a tier owns (the Moodle shared storage). */
  providers: SiteProviders;
  /**
   * On a monitored site, the script installing node_exporter: each tier installs it on the guests it
   * owns (the monitoring tier provides the script, it does not reach into other tiers' guests).
   */
  nodeExporterScript?: string;
  /**
   * On a site with a tunnel whose cloudflared release is pinned: the connector install, which the tier
   * owning a connector guest runs there (the tunnel keeps the Cloudflare side).
   */
  tunnelConnector?: ConnectorInstall;
}

/** The inventory entry of a guest key; the key comes from validated config, so it exists. */
export function planOf(ctx: TierContext, key: string): GuestPlan {
  const plan = ctx.wiring.guests.find((g) => g.key === key);
  if (!plan) throw new Error(`no guest "${key}" in the inventory`);
  return plan;
}
