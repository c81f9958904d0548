import { nextcloudRedisDatabases } from "../../config/assignments";
import { nextcloudAccountName } from "../../config/identifiers";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseEndpoint } from "../database";
import type { RedisEndpoint } from "../redis";
import { planOf, type TierContext } from "../core/context";
import { GuestTier } from "../core/guest-tier";
import { trustedProxies } from "../core/trusted-proxies";
import { renderNextcloudScript } from "./render";

export interface NextcloudArgs {
  ctx: TierContext;
  /** Instance key from the stack (bowbo, maro). */
  instance: string;
  database: DatabaseEndpoint;
  redis: RedisEndpoint;
  /** Provisioning waits for these (database and cache ready). */
  dependsOn: pulumi.Resource[];
}

/** One Nextcloud instance: its guest, its ZFS-backed data volume, installed against the central database. */
export class Nextcloud extends GuestTier {
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: NextcloudArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:Nextcloud", name, args.ctx, opts);
    const { ctx, instance } = args;
    const cfg = ctx.site.nextcloud![instance];
    const plan = planOf(ctx, name);
    this.addGuest(name, {
      // Left out of vzdump unless the stack asks: the node's ZFS snapshots protect it (backups.dataSnapshots).
      volumes: [
        { storage: cfg.data.storage, sizeGb: cfg.data.sizeGb, path: cfg.data.path, backup: cfg.data.backup },
      ],
    });
    const db = args.database.credentials[nextcloudAccountName(instance)];
    const cacheUser = args.redis.users[nextcloudAccountName(instance)];
    // A Redis database per instance keeps the tenants apart even if a key escapes its prefix.
    const dbIndex = nextcloudRedisDatabases(ctx.site)[instance];
    this.adminPassword = new random.RandomPassword(
      `${name}-admin-password`,
      { length: 32, special: false },
      { parent: this },
    ).result;
    const script = renderNextcloudScript({
      instance,
      hostname: cfg.publicHostname,
      guestIp: plan.ip,
      dataDirectory: cfg.data.path,
      database: { host: args.database.host, port: args.database.port, name: db.database, user: db.user },
      redis: {
        host: args.redis.host,
        port: args.redis.port,
        user: cacheUser.user,
        dbIndex,
        keyPrefix: cacheUser.keyPrefix,
      },
      trustedProxies: trustedProxies(ctx),
      adminUser: cfg.adminUser,
      timezone: ctx.site.site.timezone,
      // PHP gets a quarter of the guest, within Nextcloud's recommended range.
      phpMemoryMb: Math.min(2048, Math.max(512, Math.floor(plan.memoryMb / 4))),
    });
    this.provision({
      guest: name,
      role: "install",
      script,
      secrets: {
        NEXTCLOUD_ADMIN_PASSWORD: this.adminPassword,
        NEXTCLOUD_DB_PASSWORD: db.password,
        NEXTCLOUD_REDIS_PASSWORD: cacheUser.password,
      },
      dependsOn: args.dependsOn,
    });
    this.registerOutputs({});
  }
}
