import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../database";
import type { RedisEndpoint } from "../redis";
import type { MoodleConfig } from "../../config/tier-configs";
import { ClusterTier, type ClusterTierArgs } from "../web-cluster/tier";
import { appNodeScriptEnv, renderAppNodeScript } from "./app-script";
import { planMoodleCluster } from "./cluster-plan";
import { moodleDbPasswordVariable, moodleRedisPasswordVariable } from "./config-php";
import { renderCronScript } from "./cron";
import { installerScriptEnv, moodleAdminPasswordVariable, renderInstallerScript } from "./installer-script";
import { renderAppMountScript } from "../web-cluster/mount-script";

export interface MoodleClusterArgs extends ClusterTierArgs {
  /** The stack's `moodle` key. */
  config: MoodleConfig;
  /** The site network (`network.cidr`): the balancers' floating address takes its prefix length. */
  networkCidr: string;
  /** Site name Moodle shows (the client's name). */
  siteName: string;
  /** The Moodle admin's e-mail (the site's first admin address). */
  adminEmail: string;
  /** Addresses of the tunnel connectors: the app nodes trust their X-Forwarded-For too. */
  trustedProxies: readonly string[];
  /** The MariaDB primary; `credentials.moodle` is Moodle's account. */
  database: DatabaseEndpoint;
  /** Redis; `users.moodle` is Moodle's ACL user (sessions and application cache). */
  redis: RedisEndpoint;
  /** The app nodes' provisioning waits for these (database accounts and Redis ready). */
  dependsOn: pulumi.Resource[];
}

/**
 * Moodle as a flavour of the load-balanced cluster (ClusterTier: HAProxy balancers with a floating
 * address, app nodes, the shared files on an NFS storage of the Proxmox cluster bind-mounted into them).
 * What is Moodle's: the app nodes' nginx rules, config.php with sessions and application cache in Redis,
 * the installer and MUC setup, and Moodle's cron on one node.
 */
export class MoodleCluster extends ClusterTier {
  /** Public URL of the site. */
  readonly wwwroot: string;
  /** Stack key of the node that installed Moodle and runs its cron. */
  readonly cronNode: string;
  /** Password of the Moodle admin account (secret). */
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: MoodleClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const m = args.config;
    super(
      "proxmox-sites:moodle:MoodleCluster",
      name,
      args,
      Object.keys(m.loadBalancers)
        .sort()
        .map((key) => `moodle-${key}`),
      opts,
    );
    const db = args.database.credentials.moodle;
    const cache = args.redis.users.moodle;
    if (!db || !cache) throw new Error("moodle: the database and Redis tiers have no account for Moodle");
    const plan = planMoodleCluster({
      moodle: m,
      guests: args.host.plans,
      networkCidr: args.networkCidr,
      siteName: args.siteName,
      adminEmail: args.adminEmail,
      tunnelConnectorIps: args.trustedProxies,
      database: { host: args.database.host, port: args.database.port, name: db.database, user: db.user },
      redis: { host: args.redis.host, port: args.redis.port, user: cache.user, keyPrefix: cache.keyPrefix },
      proxmoxNodes: args.proxmoxNodes,
    });
    this.wwwroot = plan.wwwroot;
    this.cronNode = plan.cronNode;
    this.adminPassword = this.password("admin", 32);
    const available: Record<string, pulumi.Input<string> | undefined> = {
      [moodleDbPasswordVariable]: db.password,
      [moodleRedisPasswordVariable]: cache.password,
      [moodleAdminPasswordVariable]: this.adminPassword,
    };
    // Each script's prelude exports exactly the variables its renderer asks for.
    const secretsFor = (names: readonly string[]) =>
      Object.fromEntries(
        names.map((n) => {
          const value = available[n];
          if (value === undefined) throw new Error(`moodle: no secret for ${n}`);
          return [n, value];
        }),
      );

    this.buildCore({
      prefix: "moodle",
      balancers: plan.balancers,
      nodes: plan.nodes.map((n) => n.guest),
      shared: plan.shared,
      mountPath: plan.layout.dataRoot,
      nfs: plan.nfs,
    });

    for (const node of plan.nodes) {
      // Packages, code and configs need nothing but the guest: config.php only holds the credentials.
      const app = this.provision({
        guest: node.guest,
        role: "app",
        script: renderAppNodeScript(node.input),
        secrets: secretsFor(appNodeScriptEnv),
      });
      // The short step that checks the shared dataroot (bind mount) before anything writes to it.
      const mount = this.provision({
        guest: node.guest,
        role: "mount",
        script: renderAppMountScript({ dataRoot: plan.layout.dataRoot }),
        dependsOn: [app],
      });
      let cronAfter = mount;
      if (node.cron) {
        cronAfter = this.provision({
          guest: node.guest,
          role: "install",
          script: renderInstallerScript(plan.installer),
          secrets: secretsFor(installerScriptEnv),
          dependsOn: [mount, ...args.dependsOn],
        });
      }
      // Every node gets its cron step: the timer on the cron node, retired anywhere else.
      this.provision({
        guest: node.guest,
        role: "cron",
        script: renderCronScript({ enabled: node.cron, layout: plan.layout }),
        dependsOn: [cronAfter],
      });
    }
    this.registerTierOutputs({
      wwwroot: this.wwwroot,
      cronNode: this.cronNode,
      adminPassword: this.adminPassword,
    });
  }
}
