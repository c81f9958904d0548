import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseConfig } from "../../config/tier-configs";
import { GuestTier } from "../core/guest-tier";
import type { ExporterInstall } from "../core/handed-steps";
import type { TierHost } from "../core/tier-host";
import type { LxcGuest } from "../proxmox/lxc-guest";
import {
  MARIADB_MONITOR_PASSWORD_HASH_ENV,
  MARIADB_REPLICATION_PASSWORD_ENV,
  MARIADB_REPLICATION_PASSWORD_HASH_ENV,
  mariadbAppPasswordHashEnv,
  mariadbPasswordHash,
} from "./mariadb-names";
import { renderMariaDbReplicationScript } from "./mariadb-replication";
import {
  renderMariaDbAppsScript,
  renderMariaDbPrimaryScript,
  renderMariaDbReplicaBootstrapScript,
} from "./mariadb-scripts";

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
  /** The primary's and (with `replica`) the replica's guest plans. */
  host: TierHost;
  /** The stack's `database` key. */
  config: DatabaseConfig;
  /** One database and user per application that asks for one. */
  databases: DatabaseRequest[];
  /** The mysqld exporters monitoring renders for this tier's guests (none on an unmonitored site). */
  exporters?: readonly ExporterInstall[];
}

/**
 * MariaDB primary and asynchronous GTID replica; applications get their own database and user.
 * Scripts receive password hashes, never passwords: MariaDB logs CREATE/ALTER USER statements in
 * the binary log in clear. Only the replica's replication step (CHANGE MASTER) needs the password itself.
 */
export class MariaDbCluster extends GuestTier {
  readonly primary: LxcGuest;
  readonly replica?: LxcGuest;
  readonly endpoint: DatabaseEndpoint;
  /** Monitoring account's password (mysqld_exporter). */
  readonly monitorPassword: pulumi.Output<string>;
  /** What an application's provisioning waits for: the primary and its application accounts. */
  readonly applicationsReady: pulumi.Resource[];

  constructor(name: string, args: MariaDbClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:data:MariaDbCluster", name, args.host, opts);
    const cfg = args.config;
    const primaryPlan = this.planOf("database-primary");
    this.primary = this.addGuest("database-primary");
    const replicaPlan = cfg.replica ? this.planOf("database-replica") : undefined;
    this.replica = replicaPlan ? this.addGuest("database-replica") : undefined;

    const secret = (role: string) =>
      new random.RandomPassword(`${name}-${role}-password`, { length: 32, special: false }, { parent: this })
        .result;
    const credentials: Record<string, DatabaseCredentials> = {};
    for (const db of args.databases)
      credentials[db.name] = { database: db.name, user: db.name, password: secret(db.name) };
    this.monitorPassword = secret("monitor");
    const replicationPassword = replicaPlan ? secret("replication") : undefined;
    const hash = (pw: pulumi.Output<string>) => pw.apply(mariadbPasswordHash);

    const primaryStep = this.provision({
      guest: "database-primary",
      role: "bootstrap",
      script: renderMariaDbPrimaryScript({
        server: {
          serverId: 1,
          role: "primary",
          bindAddress: primaryPlan.ip,
          memoryMb: primaryPlan.memoryMb,
          binlogExpireDays: cfg.binlogExpireDays,
        },
        replication: replicaPlan ? { replicaHosts: [replicaPlan.ip] } : undefined,
        dump: { everyHours: cfg.dumpEveryHours, retentionDays: cfg.dumpRetentionDays },
      }),
      secrets: {
        [MARIADB_MONITOR_PASSWORD_HASH_ENV]: hash(this.monitorPassword),
        ...(replicationPassword
          ? { [MARIADB_REPLICATION_PASSWORD_HASH_ENV]: hash(replicationPassword) }
          : {}),
      },
    });
    const appsStep = this.provision({
      guest: "database-primary",
      role: "databases",
      script: renderMariaDbAppsScript({
        apps: args.databases.map((d) => ({ database: d.name, user: d.name, clientHosts: d.clientIps })),
      }),
      secrets: Object.fromEntries(
        args.databases.map((d) => [mariadbAppPasswordHashEnv(d.name), hash(credentials[d.name].password)]),
      ),
      dependsOn: [primaryStep],
    });
    if (replicaPlan && replicationPassword) {
      // Install and configuration need nothing from the primary: they run while it bootstraps.
      const replicaStep = this.provision({
        guest: "database-replica",
        role: "bootstrap",
        script: renderMariaDbReplicaBootstrapScript({
          server: {
            serverId: 2,
            role: "replica",
            bindAddress: replicaPlan.ip,
            memoryMb: replicaPlan.memoryMb,
            binlogExpireDays: cfg.binlogExpireDays,
          },
        }),
      });
      this.provision({
        guest: "database-replica",
        role: "replication",
        script: renderMariaDbReplicationScript({ primary: { primaryHost: primaryPlan.ip } }),
        secrets: { [MARIADB_REPLICATION_PASSWORD_ENV]: replicationPassword },
        // The replica's first connection needs the primary's replication account.
        dependsOn: [replicaStep, primaryStep],
      });
    }
    this.installExporters(args.exporters ?? [], this.monitorPassword);
    // Applications wait for their accounts, not for the replica.
    this.applicationsReady = [this.primary, primaryStep, appsStep];
    this.endpoint = { host: primaryPlan.ip, port: 3306, replicaHost: replicaPlan?.ip, credentials };
    this.registerTierOutputs({
      primary: this.primary,
      replica: this.replica,
      endpoint: this.endpoint,
      monitorPassword: this.monitorPassword,
      applicationsReady: this.applicationsReady,
    });
  }
}
