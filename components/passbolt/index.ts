import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../database";
import type { TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";

export interface PassboltArgs {
  ctx: TierContext;
  database: DatabaseEndpoint;
  dependsOn: pulumi.Resource[];
}

/** Passbolt CE configured against the central database. */
export class Passbolt extends GuestTier {
  constructor(name: string, args: PassboltArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:Passbolt", name, args.ctx, opts);
    this.addGuest("passbolt");
    this.registerOutputs({});
  }
}
