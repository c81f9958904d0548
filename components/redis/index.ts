import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GuestTier } from "../core/guest-tier";
import type { ExporterInstall } from "../core/handed-steps";
import type { TierHost } from "../core/tier-host";
import type { LxcGuest } from "../proxmox/lxc-guest";
import {
  REDIS_ADMIN_PASSWORD_SHA256_ENV,
  REDIS_KNOWN_CLIENT_COMMANDS,
  REDIS_MONITOR_PASSWORD_SHA256_ENV,
  redisAppPasswordSha256Env,
  redisPasswordSha256,
  type RedisAppUser,
} from "./redis-acl";
import { renderRedisScript } from "./redis-script";

export interface RedisUser {
  user: string;
  password: pulumi.Output<string>;
  /** Prefix the client must put on its keys (empty where the ACL allows every key). */
  keyPrefix: string;
}

/** How an application reaches Redis: its own ACL user. */
export interface RedisEndpoint {
  host: string;
  port: number;
  users: Record<string, RedisUser>;
}

/** An application that gets its own ACL user. */
export interface RedisClient {
  name: string;
  /** Which client library's needs apply (extra commands, key scope). */
  kind: "nextcloud" | "frappe" | "moodle" | "web";
}

export interface RedisCacheArgs {
  /** The Redis guest's plan. */
  host: TierHost;
  /** One ACL user per application that asks for one. */
  clients: RedisClient[];
  /** The redis exporter monitoring renders for this tier's guest (none on an unmonitored site). */
  exporters?: readonly ExporterInstall[];
}

/** The ACL of one client: Frappe's queues and socket.io cannot prefix their keys. */
function aclUser(client: RedisClient): RedisAppUser {
  const extraCommands = REDIS_KNOWN_CLIENT_COMMANDS[client.kind];
  if (client.kind === "frappe")
    return { name: client.name, keyPatterns: ["*"], channelPatterns: ["*"], extraCommands };
  return { name: client.name, extraCommands };
}

/** Redis for caches, locks, queues and sessions, one ACL user per application, no default user. */
export class RedisCache extends GuestTier {
  readonly guest: LxcGuest;
  readonly endpoint: RedisEndpoint;
  /** Password of the redis_exporter user. */
  readonly monitorPassword: pulumi.Output<string>;

  constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:data:RedisCache", name, args.host, opts);
    const plan = this.planOf("redis");
    this.guest = this.addGuest("redis");
    const secret = (role: string) =>
      new random.RandomPassword(`${name}-${role}-password`, { length: 32, special: false }, { parent: this })
        .result;
    const sha = (pw: pulumi.Output<string>) => pw.apply(redisPasswordSha256);
    const users: Record<string, RedisUser> = {};
    for (const client of args.clients) {
      users[client.name] = {
        user: client.name,
        password: secret(client.name),
        keyPrefix: client.kind === "frappe" ? "" : `${client.name}:`,
      };
    }
    const admin = secret("admin");
    this.monitorPassword = secret("monitor");
    this.provision({
      guest: "redis",
      role: "bootstrap",
      script: renderRedisScript({
        server: { bindAddress: plan.ip, memoryMb: plan.memoryMb },
        acl: { apps: args.clients.map(aclUser) },
      }),
      secrets: {
        [REDIS_ADMIN_PASSWORD_SHA256_ENV]: sha(admin),
        [REDIS_MONITOR_PASSWORD_SHA256_ENV]: sha(this.monitorPassword),
        ...Object.fromEntries(
          args.clients.map((c) => [redisAppPasswordSha256Env(c.name), sha(users[c.name].password)]),
        ),
      },
    });
    this.installExporters(args.exporters ?? [], this.monitorPassword);
    this.endpoint = { host: plan.ip, port: 6379, users };
    this.registerTierOutputs({
      guest: this.guest,
      endpoint: this.endpoint,
      monitorPassword: this.monitorPassword,
    });
  }
}
