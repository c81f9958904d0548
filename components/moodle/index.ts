import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../database";
import type { RedisEndpoint } from "../redis";
import type { TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";

export interface MoodleClusterArgs {
  ctx: TierContext;
  database: DatabaseEndpoint;
  redis: RedisEndpoint;
  dependsOn: pulumi.Resource[];
}

/** HAProxy balancer(s) with a floating address, N Moodle app nodes and the shared moodledata. */
export class MoodleCluster extends GuestTier {
  constructor(name: string, args: MoodleClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:moodle:MoodleCluster", name, args.ctx, opts);
    const m = args.ctx.site.moodle!;
    // The kernel NFS server needs a privileged container; app nodes mount NFS (mount=nfs feature).
    this.addGuest("moodle-files", {
      unprivileged: false,
      volumes: [
        {
          storage: m.sharedFiles.data.storage,
          sizeGb: m.sharedFiles.data.sizeGb,
          path: m.sharedFiles.data.path,
        },
      ],
    });
    for (const key of Object.keys(m.loadBalancers).sort()) this.addGuest(`moodle-${key}`);
    for (const key of Object.keys(m.nodes).sort())
      this.addGuest(`moodle-${key}`, { features: { nesting: true, mounts: ["nfs"] } });
    this.registerOutputs({});
  }
}
