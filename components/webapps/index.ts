import type * as pulumi from "@pulumi/pulumi";
import type { TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";

export interface WebAppsArgs {
  ctx: TierContext;
}

/** Frontend and backend guests: Node.js runtime and an nginx reverse proxy per site hostname. */
export class WebApps extends GuestTier {
  constructor(name: string, args: WebAppsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:WebApps", name, args.ctx, opts);
    this.addGuest("frontend");
    this.addGuest("backend");
    this.registerOutputs({});
  }
}
