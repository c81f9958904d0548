import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../database";
import type { RedisEndpoint } from "../redis";
import type { TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";

export interface FrappeArgs {
  ctx: TierContext;
  database: DatabaseEndpoint;
  redis: RedisEndpoint;
  dependsOn: pulumi.Resource[];
}

/** ERPNext on Frappe in Docker inside its guest (nesting), using the site's MariaDB and Redis. */
export class Frappe extends GuestTier {
  constructor(name: string, args: FrappeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:Frappe", name, args.ctx, opts);
    this.addGuest("frappe", { features: { nesting: true } });
    this.registerOutputs({});
  }
}
