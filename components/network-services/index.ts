import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { planOf, type TierContext } from "../core/context";
import { GuestTier } from "../core/guest-tier";
import { ADGUARD_PASSWORD_ENV, renderAdGuardHomeScript } from "./adguard";
import { adGuardInputFor } from "./adguard-input";

export interface NetworkServicesArgs {
  ctx: TierContext;
}

/**
 * AdGuard Home for the LAN's DNS, installed only from the release the stack pins
 * (`networkServices.adguard`); the tunnel's cloudflared connector runs here too (the tunnel tier).
 */
export class NetworkServices extends GuestTier {
  /** AdGuard Home's web UI password for `admin` (secret); absent when AdGuard is not installed. */
  readonly adguardAdminPassword?: pulumi.Output<string>;

  constructor(name: string, args: NetworkServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:network:NetworkServices", name, args.ctx, opts);
    const { ctx } = args;
    this.addGuest("network-services");
    // Without a pinned release there is nothing to verify a download against (validation warns).
    if (ctx.site.networkServices?.adguard) {
      const input = adGuardInputFor(ctx.site, ctx.wiring.guests, planOf(ctx, "network-services").ip);
      this.adguardAdminPassword = new random.RandomPassword(
        `${name}-adguard-admin-password`,
        { length: 32, special: false },
        { parent: this },
      ).result;
      this.provision({
        guest: "network-services",
        role: "adguard",
        script: renderAdGuardHomeScript(input),
        secrets: { [ADGUARD_PASSWORD_ENV]: this.adguardAdminPassword },
      });
    }
    this.registerOutputs({});
  }
}
