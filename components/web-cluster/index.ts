import type * as pulumi from "@pulumi/pulumi";
import {
  webClusterDatabaseName,
  webClusterRedisUser,
  type WebClusterConfig,
} from "../../config/web-cluster-schema";
import type { DatabaseEndpoint } from "../database";
import { renderAppMountScript } from "./mount-script";
import type { RedisEndpoint } from "../redis";
import {
  renderWebAppNodeScript,
  webAppNodeEnv,
  webDbPasswordVariable,
  webRedisPasswordVariable,
} from "./app-node";
import { renderWebCronScript } from "./cron";
import { planWebCluster } from "./plan";
import { ClusterTier, type ClusterTierArgs } from "./tier";

export interface WebClusterArgs extends ClusterTierArgs {
  /** Key of the cluster under `webClusters`. */
  cluster: string;
  /** The stack's `webClusters.<cluster>` key. */
  config: WebClusterConfig;
  /** The site network (`network.cidr`): the balancers' floating address takes its prefix length. */
  networkCidr: string;
  /** Addresses of the tunnel connectors: the app nodes trust their X-Forwarded-For too. */
  trustedProxies: readonly string[];
  /** The site's MariaDB; the cluster's account is `credentials[<database.name>]`. */
  database?: DatabaseEndpoint;
  /** The site's Redis; the cluster's ACL user holds its PHP sessions. */
  redis?: RedisEndpoint;
  /** The app nodes' provisioning waits for these (database accounts and Redis ready). */
  dependsOn: pulumi.Resource[];
}

/**
 * A load-balanced web application (`webClusters.<name>`): HAProxy balancer(s), keepalived with two, N app
 * nodes serving the application's code (git ref or pinned tarball) with PHP-FPM or Node.js behind nginx,
 * sessions in Redis, the shared files on an NFS storage of the cluster bind-mounted into every node, its
 * MariaDB account in an environment file, cron jobs on one node.
 */
export class WebCluster extends ClusterTier {
  /** Public URL of the application. */
  readonly url: string;
  /** Stack key of the node that runs the cron jobs. */
  readonly cronNode: string;

  constructor(name: string, args: WebClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const c = args.config;
    super(
      "proxmox-sites:web:WebCluster",
      name,
      args,
      Object.keys(c.loadBalancers)
        .sort()
        .map((key) => `${args.cluster}-${key}`),
      opts,
    );
    const at = `webClusters.${args.cluster}`;
    const dbAccount = c.database
      ? args.database?.credentials[webClusterDatabaseName(args.cluster, c)]
      : undefined;
    if (c.database && !dbAccount) throw new Error(`${at}.database: the database tier has no account for it`);
    const sessions = c.redisSessions && c.runtime.kind === "php";
    const cache = sessions ? args.redis?.users[webClusterRedisUser(args.cluster)] : undefined;
    if (sessions && !cache) throw new Error(`${at}.redisSessions: the Redis tier has no user for it`);
    const plan = planWebCluster({
      name: args.cluster,
      cluster: c,
      guests: args.host.plans,
      networkCidr: args.networkCidr,
      tunnelConnectorIps: args.trustedProxies,
      database:
        dbAccount && args.database
          ? {
              host: args.database.host,
              port: args.database.port,
              name: dbAccount.database,
              user: dbAccount.user,
            }
          : undefined,
      redis:
        cache && args.redis
          ? { host: args.redis.host, port: args.redis.port, user: cache.user, keyPrefix: cache.keyPrefix }
          : undefined,
      proxmoxNodes: args.proxmoxNodes,
    });
    this.url = plan.url;
    this.cronNode = plan.cronNode;
    this.buildCore({
      prefix: args.cluster,
      balancers: plan.balancers,
      nodes: plan.nodes.map((n) => n.guest),
      shared: plan.shared,
      mountPath: c.sharedPath,
      nfs: plan.nfs,
    });
    const available: Record<string, pulumi.Input<string> | undefined> = {
      [webDbPasswordVariable]: dbAccount?.password,
      [webRedisPasswordVariable]: cache?.password,
    };
    for (const node of plan.nodes) {
      const secrets = Object.fromEntries(
        webAppNodeEnv(node.input).map((n) => {
          const value = available[n];
          if (value === undefined) throw new Error(`${at}: no secret for ${n}`);
          return [n, value];
        }),
      );
      const app = this.provision({
        guest: node.guest,
        role: "app",
        script: renderWebAppNodeScript(node.input),
        secrets,
        dependsOn: args.dependsOn,
      });
      // The shared files are a bind mount of the Proxmox node's NFS storage: checked before cron writes there.
      const mount = this.provision({
        guest: node.guest,
        role: "mount",
        script: renderAppMountScript({ dataRoot: c.sharedPath }),
        dependsOn: [app],
      });
      this.provision({
        guest: node.guest,
        role: "cron",
        script: renderWebCronScript(node.cron),
        dependsOn: [mount],
      });
    }
    this.registerTierOutputs({ url: this.url, cronNode: this.cronNode });
  }
}
