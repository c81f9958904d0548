import type * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../config/ports";
import { planOf, type TierContext } from "../core/context";
import { GuestTier } from "../core/guest-tier";
import { trustedProxies } from "../core/trusted-proxies";
import { webGuestInputFor } from "./guest-input";
import { renderWebGuestScript, webGuestScriptEnv } from "./render";

export interface WebAppsArgs {
  ctx: TierContext;
}

/**
 * Frontend and backend guests: Node.js runtime and an nginx reverse proxy per site hostname, one
 * systemd service per site. The sites' code is deployed separately into /srv/<name>.
 */
export class WebApps extends GuestTier {
  constructor(name: string, args: WebAppsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:WebApps", name, args.ctx, opts);
    const { ctx } = args;
    const proxies = trustedProxies(ctx);
    for (const role of ["frontend", "backend"] as const) {
      this.addGuest(role);
      const input = webGuestInputFor({
        guestIp: planOf(ctx, role).ip,
        listenPort: PORTS.http,
        sites: ctx.site.webApps![role].sites,
        trustedProxies: proxies,
      });
      if (!input) continue;
      // The stack's sites carry no secret environment; a site that needs one adds it here.
      const env = webGuestScriptEnv(input);
      if (env.length > 0) throw new Error(`webApps.${role}: no secret for ${env.join(", ")}`);
      this.provision({ guest: role, role: "install", script: renderWebGuestScript(input) });
    }
    this.registerOutputs({});
  }
}
