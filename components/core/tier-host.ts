import type { GuestPlan } from "../../config/inventory";
import type { GuestFactory } from "../proxmox/guest-factory";
import type { ConnectorInstall } from "./handed-steps";

/**
 * What a tier's base class takes from the Site: the builder of guests and node connections, and the
 * inventory entries of this tier's own guests (no other tier's).
 */
export interface TierHost {
  factory: GuestFactory;
  /** The plans of the guests this component creates. */
  plans: readonly GuestPlan[];
  /**
   * On a monitored site, the script installing node_exporter: the tier installs it on every guest it
   * creates (every guest is scraped).
   */
  nodeExporterScript?: string;
  /**
   * On a site with a tunnel whose cloudflared release is pinned: the connector install, which the tier
   * runs on those of its guests that are connectors (the tunnel keeps the Cloudflare side).
   */
  tunnelConnector?: ConnectorInstall;
}

/** The plan of one of the tier's guests; the key comes from validated config, so it is there. */
export function planOf(host: Pick<TierHost, "plans">, key: string): GuestPlan {
  const plan = host.plans.find((g) => g.key === key);
  if (!plan)
    throw new Error(
      `no guest "${key}" among this tier's guests (${host.plans.map((g) => g.key).join(", ")})`,
    );
  return plan;
}
