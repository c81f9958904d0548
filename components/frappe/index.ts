import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PORTS } from "../../config/ports";
import type { DatabaseEndpoint } from "../database";
import type { RedisEndpoint } from "../redis";
import type { FrappeConfig } from "../../config/tier-configs";
import { GuestTier } from "../core/guest-tier";
import type { TierHost } from "../core/tier-host";
import { FRAPPE_ENV } from "./compose";
import { frappeScriptEnv, renderFrappeScript } from "./render";
import { frappeSiteInputFor } from "./site-input";

export interface FrappeArgs {
  /** The Frappe guest's plan. */
  host: TierHost;
  /** The stack's `frappe` key. */
  config: FrappeConfig;
  /** Addresses of the tunnel connectors (nginx trusts the first one's X-Forwarded-For). */
  trustedProxies: readonly string[];
  database: DatabaseEndpoint;
  redis: RedisEndpoint;
  dependsOn: pulumi.Resource[];
}

/** ERPNext on Frappe in Docker inside its unprivileged guest (nesting + keyctl), using the site's MariaDB and Redis. */
export class Frappe extends GuestTier {
  /** The site's Administrator password (secret). */
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: FrappeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:Frappe", name, args.host, opts);
    const plan = this.planOf("frappe");
    // Docker in an unprivileged container needs nesting and keyctl; keyctl only root@pam may set.
    this.addGuest("frappe", { features: { nesting: true, keyctl: true } });
    const db = args.database.credentials.frappe;
    const cacheUser = args.redis.users.frappe;
    const proxies = args.trustedProxies;
    if (proxies.length > 1)
      pulumi.log.warn(
        `frappe: nginx trusts one proxy; the client address is taken from ${proxies[0]} only, not from ${proxies.slice(1).join(", ")}`,
        this,
      );
    const input = frappeSiteInputFor({
      frappe: args.config,
      guestIp: plan.ip,
      httpPort: PORTS.frappe,
      database: { host: args.database.host, port: args.database.port, database: db.database, user: db.user },
      redis: { host: args.redis.host, port: args.redis.port, user: cacheUser.user },
      trustedProxies: proxies,
    });
    this.adminPassword = new random.RandomPassword(
      `${name}-admin-password`,
      { length: 32, special: false },
      { parent: this },
    ).result;
    const values: Record<string, pulumi.Input<string>> = {
      [FRAPPE_ENV.dbPassword]: db.password,
      [FRAPPE_ENV.redisPassword]: cacheUser.password,
      [FRAPPE_ENV.adminPassword]: this.adminPassword,
    };
    const secrets: Record<string, pulumi.Input<string>> = {};
    for (const env of frappeScriptEnv(input)) {
      if (!(env in values)) throw new Error(`frappe: no secret for ${env}`);
      secrets[env] = values[env];
    }
    this.provision({
      guest: "frappe",
      role: "install",
      script: renderFrappeScript(input),
      secrets,
      dependsOn: args.dependsOn,
    });
    this.registerTierOutputs({ adminPassword: this.adminPassword });
  }
}
