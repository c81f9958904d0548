import type * as pulumi from "@pulumi/pulumi";
import type { TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";

export interface NetworkServicesArgs {
  ctx: TierContext;
}

/** AdGuard Home for the LAN's DNS; the tunnel's cloudflared connector runs here too. */
export class NetworkServices extends GuestTier {
  constructor(name: string, args: NetworkServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:network:NetworkServices", name, args.ctx, opts);
    this.addGuest("network-services");
    this.registerOutputs({});
  }
}
