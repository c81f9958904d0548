import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { planOf, type TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";
import type { LxcGuest } from "../proxmox/lxc-guest";

export interface RedisUser {
  user: string;
  password: pulumi.Output<string>;
  /** Keys this user may touch: `${keyPrefix}*`. */
  keyPrefix: string;
}

/** How an application reaches Redis: its own ACL user, limited to its key prefix. */
export interface RedisEndpoint {
  host: string;
  port: number;
  users: Record<string, RedisUser>;
}

export interface RedisCacheArgs {
  ctx: TierContext;
  /** Applications that get an ACL user, by name. */
  clients: string[];
}

/** Redis for caches, locks, queues and sessions, one ACL user per application. */
export class RedisCache extends GuestTier {
  readonly guest: LxcGuest;
  readonly endpoint: RedisEndpoint;

  constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:data:RedisCache", name, args.ctx, opts);
    const plan = planOf(args.ctx, "redis");
    this.guest = this.addGuest("redis");
    const users: Record<string, RedisUser> = {};
    for (const client of args.clients) {
      const password = new random.RandomPassword(
        `${name}-${client}-password`,
        { length: 32, special: false },
        { parent: this },
      ).result;
      users[client] = { user: client, password, keyPrefix: `${client}:` };
    }
    this.endpoint = { host: plan.ip, port: 6379, users };
    this.registerOutputs({ host: this.endpoint.host });
  }
}
