import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { planOf, type TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";
import type { LxcGuest } from "../proxmox/lxc-guest";

/** A database and user for one application, limited to the addresses of its guests. */
export interface DatabaseRequest {
  /** Database and user name ([a-z0-9_]). */
  name: string;
  clientIps: string[];
}

export interface DatabaseCredentials {
  database: string;
  user: string;
  password: pulumi.Output<string>;
}

/** How an application reaches its database; the password is a secret. */
export interface DatabaseEndpoint {
  host: string;
  port: number;
  replicaHost?: string;
  credentials: Record<string, DatabaseCredentials>;
}

export interface MariaDbClusterArgs {
  ctx: TierContext;
  databases: DatabaseRequest[];
}

function password(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  return new random.RandomPassword(name, { length: 32, special: false }, { parent }).result;
}

/** MariaDB primary and asynchronous GTID replica; applications get their own database and user. */
export class MariaDbCluster extends GuestTier {
  readonly primary: LxcGuest;
  readonly replica?: LxcGuest;
  readonly endpoint: DatabaseEndpoint;

  constructor(name: string, args: MariaDbClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:data:MariaDbCluster", name, args.ctx, opts);
    const { ctx } = args;
    const primaryPlan = planOf(ctx, "database-primary");
    this.primary = this.addGuest("database-primary");
    const replicaPlan = ctx.site.database?.replica ? planOf(ctx, "database-replica") : undefined;
    this.replica = replicaPlan ? this.addGuest("database-replica") : undefined;
    const credentials: Record<string, DatabaseCredentials> = {};
    for (const db of args.databases) {
      credentials[db.name] = {
        database: db.name,
        user: db.name,
        password: password(`${name}-${db.name}-password`, this),
      };
    }
    this.endpoint = { host: primaryPlan.ip, port: 3306, replicaHost: replicaPlan?.ip, credentials };
    this.registerOutputs({ host: this.endpoint.host });
  }
}
