import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../database";
import type { RedisEndpoint } from "../redis";
import type { TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";

export interface NextcloudArgs {
  ctx: TierContext;
  /** Instance key from the stack (bowbo, maro). */
  instance: string;
  database: DatabaseEndpoint;
  redis?: RedisEndpoint;
  /** Provisioning waits for these (database and cache ready). */
  dependsOn: pulumi.Resource[];
}

/** One Nextcloud instance: its guest, its ZFS-backed data volume, installed against the central database. */
export class Nextcloud extends GuestTier {
  constructor(name: string, args: NextcloudArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:Nextcloud", name, args.ctx, opts);
    const cfg = args.ctx.site.nextcloud![args.instance];
    this.addGuest(name, {
      volumes: [{ storage: cfg.data.storage, sizeGb: cfg.data.sizeGb, path: cfg.data.path }],
    });
    this.registerOutputs({});
  }
}
