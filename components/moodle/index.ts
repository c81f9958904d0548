import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseEndpoint } from "../database";
import type { RedisEndpoint } from "../redis";
import type { TierContext } from "../site/context";
import { planOf } from "../site/context";
import { GuestTier } from "../site/guest-tier";
import { trustedProxies } from "../site/trusted-proxies";
import { appNodeScriptEnv, renderAppNodeScript } from "./app-script";
import { balancerScriptEnv, renderBalancerScript } from "./balancer-script";
import { planMoodleCluster } from "./cluster-plan";
import { moodleDbPasswordVariable, moodleRedisPasswordVariable } from "./config-php";
import { renderCronScript } from "./cron";
import { haproxyStatsPasswordVariable } from "./haproxy-settings";
import { installerScriptEnv, moodleAdminPasswordVariable, renderInstallerScript } from "./installer-script";
import { keepalivedPasswordVariable } from "./keepalived";
import { resolveLayout } from "./layout";
import { renderAppMountScript } from "./mount-script";
import { renderNfsServerScript } from "./nfs-script";
import { renderStorageNodeScript } from "./storage-node-script";
import { NodeProvisioner } from "../proxmox/provisioner";

export interface MoodleClusterArgs {
  ctx: TierContext;
  /** The MariaDB primary; `credentials.moodle` is Moodle's account. */
  database: DatabaseEndpoint;
  /** Redis; `users.moodle` is Moodle's ACL user (sessions and application cache). */
  redis: RedisEndpoint;
  /** The app nodes' provisioning waits for these (database accounts and Redis ready). */
  dependsOn: pulumi.Resource[];
}

/**
 * HAProxy balancer(s) with a floating address (keepalived), N Moodle app nodes (nginx, php-fpm) sharing
 * moodledata, sessions and application cache in Redis; installer and cron on one node. The shared
 * moodledata is an NFS storage of the Proxmox cluster (served by the sharedFiles guest or a NAS), mounted
 * by every node and bind-mounted into the unprivileged app nodes: the kernel refuses NFS mounts inside a
 * user namespace. Bind mounts need root@pam, so the app nodes (and the privileged NFS guest) are created
 * through the root@pam provider; everything else uses the API token.
 */
export class MoodleCluster extends GuestTier {
  /** Public URL of the site. */
  readonly wwwroot: string;
  /** Stack key of the node that installed Moodle and runs its cron. */
  readonly cronNode: string;
  /** Password of the Moodle admin account (secret). */
  readonly adminPassword: pulumi.Output<string>;
  /** Password of the HAProxy stats page, user `admin` (secret). */
  readonly statsPassword: pulumi.Output<string>;

  constructor(name: string, args: MoodleClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:moodle:MoodleCluster", name, args.ctx, opts);
    const { ctx } = args;
    const m = ctx.site.moodle!;
    for (const key of Object.keys(m.loadBalancers).sort()) this.addGuest(`moodle-${key}`);
    const db = args.database.credentials.moodle;
    const cache = args.redis.users.moodle;
    if (!db || !cache) throw new Error("moodle: the database and Redis tiers have no account for Moodle");
    const plan = planMoodleCluster({
      moodle: m,
      guests: ctx.wiring.guests,
      networkCidr: ctx.site.network.cidr,
      siteName: ctx.site.site.client,
      adminEmail: ctx.site.site.adminEmails[0],
      tunnelConnectorIps: trustedProxies(ctx),
      database: { host: args.database.host, port: args.database.port, name: db.database, user: db.user },
      redis: { host: args.redis.host, port: args.redis.port, user: cache.user, keyPrefix: cache.keyPrefix },
      proxmoxNodes: ctx.site.proxmox.nodes,
    });
    this.wwwroot = plan.wwwroot;
    this.cronNode = plan.cronNode;

    const password = (role: string, length: number) =>
      new random.RandomPassword(`${name}-${role}-password`, { length, special: false }, { parent: this })
        .result;
    this.adminPassword = password("admin", 32);
    this.statsPassword = password("stats", 32);
    const clustered = plan.balancers.some((b) => b.input.keepalived !== undefined);
    // keepalived's PASS authentication uses only 8 characters: exactly 8, so none is silently dropped.
    const keepalivedPassword = clustered ? password("keepalived", 8) : undefined;
    const available: Record<string, pulumi.Input<string> | undefined> = {
      [haproxyStatsPasswordVariable]: this.statsPassword,
      [keepalivedPasswordVariable]: keepalivedPassword,
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

    // The kernel NFS server needs a privileged container (root@pam provider).
    let nfs: pulumi.Resource | undefined;
    if (m.sharedFiles && plan.nfs) {
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
      nfs = this.provision({ guest: "moodle-files", role: "nfs", script: renderNfsServerScript(plan.nfs) });
    }
    const shared = plan.shared;
    // Registered with the API token (Datastore.Allocate on /storage); every node mounts it.
    const storage = new proxmoxve.storage.Nfs(
      `${name}-shared-storage`,
      {
        resourceId: shared.storageId,
        server: shared.server,
        export: shared.exportPath,
        options: shared.options,
        nodes: shared.nodes,
        // Proxmox keeps no guest disks or backups here; with root squashed it could not create its
        // content directories anyway.
        contents: ["snippets"],
        createBasePath: false,
        createSubdirs: false,
      },
      { parent: this, provider: ctx.providers.proxmox, dependsOn: nfs ? [nfs] : [] },
    );
    // On every node (an app node may be placed, moved or recovered on any): mounted, the dataroot
    // there with its owner and marker. Adding an app node then adds nothing here.
    const clusterNodes = ctx.site.proxmox.nodes.map((n) => n.name);
    const nodeReady = new Map(
      clusterNodes.map((node) => [
        node,
        new NodeProvisioner(
          `${node}-moodle-shared-storage`,
          {
            connection: ctx.factory.connectionForNode(node),
            script: renderStorageNodeScript({ storageId: shared.storageId, directory: shared.directory }),
            dependsOn: [storage],
          },
          { parent: this },
        ),
      ]),
    );
    const layout = resolveLayout(plan.layout);
    for (const node of plan.nodes) {
      this.addGuest(node.guest, {
        features: { nesting: true },
        bindMounts: [{ hostPath: shared.hostPath, path: layout.dataRoot }],
        dependsOn: [nodeReady.get(planOf(ctx, node.guest).node)!],
      });
    }

    for (const b of plan.balancers) {
      this.provision({
        guest: b.guest,
        role: "balancer",
        script: renderBalancerScript(b.input),
        secrets: secretsFor(balancerScriptEnv(b.input)),
      });
    }
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
        script: renderAppMountScript({ layout: plan.layout }),
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
    this.registerOutputs({ wwwroot: this.wwwroot, cronNode: this.cronNode });
  }
}
