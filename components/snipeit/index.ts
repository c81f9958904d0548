import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../database";
import type { TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";

export interface SnipeItArgs {
  ctx: TierContext;
  database: DatabaseEndpoint;
  dependsOn: pulumi.Resource[];
}

/** Snipe-IT from the TurnKey template, configured against the central database. */
export class SnipeIt extends GuestTier {
  constructor(name: string, args: SnipeItArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:SnipeIt", name, args.ctx, opts);
    this.addGuest("snipe-it");
    this.registerOutputs({});
  }
}
