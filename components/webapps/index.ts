import type * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../config/ports";
import type { WebAppsConfig } from "../../config/tier-configs";
import { GuestTier } from "../core/guest-tier";
import type { TierHost } from "../core/tier-host";
import { webGuestInputFor } from "./guest-input";
import { renderWebGuestScript, webGuestScriptEnv } from "./render";

export interface WebAppsArgs {
  /** The frontend's and the backend's guest plans. */
  host: TierHost;
  /** The stack's `webApps` key. */
  config: WebAppsConfig;
  /** Addresses of the tunnel connectors: the only proxies whose X-Forwarded-For is trusted. */
  trustedProxies: readonly string[];
}

/**
 * Frontend and backend guests: Node.js runtime and an nginx reverse proxy per site hostname, one
 * systemd service per site. The sites' code is deployed separately into /srv/<name>.
 */
export class WebApps extends GuestTier {
  constructor(name: string, args: WebAppsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:WebApps", name, args.host, opts);
    for (const role of ["frontend", "backend"] as const) {
      this.addGuest(role);
      const input = webGuestInputFor({
        guestIp: this.planOf(role).ip,
        listenPort: PORTS.http,
        sites: args.config[role].sites,
        trustedProxies: args.trustedProxies,
      });
      if (!input) continue;
      // The stack's sites carry no secret environment; a site that needs one adds it here.
      const env = webGuestScriptEnv(input);
      if (env.length > 0) throw new Error(`webApps.${role}: no secret for ${env.join(", ")}`);
      this.provision({ guest: role, role: "install", script: renderWebGuestScript(input) });
    }
    this.registerTierOutputs();
  }
}
