import { nextcloudAccountName } from "../../config/identifiers";
import type { NextcloudConfig } from "../../config/tier-configs";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseEndpoint } from "../database";
import type { RedisEndpoint } from "../redis";
import { GuestTier } from "../core/guest-tier";
import type { TierHost } from "../core/tier-host";
import { renderNextcloudScript } from "./render";

export interface NextcloudArgs {
  /** The instance's guest plan (`nextcloud-<instance>`). */
  host: TierHost;
  /** Instance key from the stack (bowbo, maro). */
  instance: string;
  /** The stack's `nextcloud.<instance>` key. */
  config: NextcloudConfig;
  /** The instance's own Redis database: keeps the tenants apart even if a key escapes its prefix. */
  redisDbIndex: number;
  /** Addresses of the tunnel connectors: the only proxies whose X-Forwarded-For is trusted. */
  trustedProxies: readonly string[];
  /** The site's time zone (`site.timezone`). */
  timezone: string;
  database: DatabaseEndpoint;
  redis: RedisEndpoint;
  /** Provisioning waits for these (database and cache ready). */
  dependsOn: pulumi.Resource[];
}

/** One Nextcloud instance: its guest, its ZFS-backed data volume, installed against the central database. */
export class Nextcloud extends GuestTier {
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: NextcloudArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:Nextcloud", name, args.host, opts);
    const { instance, config: cfg } = args;
    const plan = this.planOf(name);
    this.addGuest(name, {
      // Left out of vzdump unless the stack asks: the node's ZFS snapshots protect it (backups.dataSnapshots).
      volumes: [
        { storage: cfg.data.storage, sizeGb: cfg.data.sizeGb, path: cfg.data.path, backup: cfg.data.backup },
      ],
    });
    const db = args.database.credentials[nextcloudAccountName(instance)];
    const cacheUser = args.redis.users[nextcloudAccountName(instance)];
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
        dbIndex: args.redisDbIndex,
        keyPrefix: cacheUser.keyPrefix,
      },
      trustedProxies: args.trustedProxies,
      adminUser: cfg.adminUser,
      timezone: args.timezone,
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
    this.registerTierOutputs({ adminPassword: this.adminPassword });
  }
}
