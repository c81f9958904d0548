/**
 * A web cluster of a validated stack as the inputs of its renderers: which script runs on which guest,
 * with what. Keyed by stack-config keys in sorted order, so adding an app node changes only the
 * balancers' configs. Pure: no Pulumi.
 */
import type { GuestPlan } from "../../config/inventory";
import { webClusterGuestKey } from "../../config/web-cluster-schema";
import { PORTS } from "../../config/ports";
import { webClusterStorageId, type WebClusterConfig } from "../../config/web-cluster-schema";
import { sharedMarkerFile } from "../moodle/layout";
import { nfsServerPlan, type NfsServerPlan } from "./nfs";
import { planClusterMembers, trustedProxyAddresses, type ClusterGuest } from "./members";
import { phpFpmPoolSizing, type PoolSizing } from "../moodle/php-fpm";
import { planSharedStorage, type SharedStoragePlan } from "../moodle/shared-storage";
import {
  webDbPasswordVariable,
  webNodeLayout,
  webRedisPasswordVariable,
  type WebAppNodeInput,
  type WebNodeLayout,
} from "./app-node";
import type { WebCronInput } from "./cron";
import { planFront, type BalancerPlan } from "./front";

export type WebGuest = ClusterGuest;

export interface WebClusterPlanInput {
  name: string;
  cluster: WebClusterConfig;
  guests: readonly WebGuest[];
  networkCidr: string;
  tunnelConnectorIps?: readonly string[];
  /** The application's MariaDB account (password WEB_DB_PASSWORD), when it has one. */
  database?: { host: string; port: number; name: string; user: string };
  /** Its Redis ACL user (password WEB_REDIS_PASSWORD), when sessions live in Redis. */
  redis?: { host: string; port: number; user: string; keyPrefix: string };
  proxmoxNodes: readonly { name: string; address: string }[];
}

export interface WebNodePlan {
  key: string;
  guest: string;
  input: WebAppNodeInput;
  cron: WebCronInput;
}

export interface WebClusterPlan {
  url: string;
  cronNode: string;
  layout: WebNodeLayout;
  shared: SharedStoragePlan;
  /** The sharedFiles node's export, when that node serves the storage. */
  nfs?: NfsServerPlan;
  balancers: BalancerPlan[];
  nodes: WebNodePlan[];
}

/** Port nginx listens on in every app node (TLS ends at Cloudflare). */
export const webNodePort = 80;

/** php-fpm workers per core at most: requests wait on the database, Redis and the shared files. */
export const webWorkersPerCore = 8;

/** The pool of a PHP node: every worker may reach memory_limit, at most `webWorkersPerCore` per core. */
export function webPoolSizing(
  node: Pick<GuestPlan, "cores" | "memoryMb">,
  memoryLimitMb: number,
): PoolSizing {
  const reservedMb = 256 + 128;
  const byCores = Math.max(1, node.cores) * webWorkersPerCore;
  const perChildMb = Math.max(memoryLimitMb, Math.ceil((node.memoryMb - reservedMb) / byCores));
  return phpFpmPoolSizing({ memoryMb: Math.max(256, node.memoryMb), reservedMb, perChildMb });
}

export function planWebCluster(input: WebClusterPlanInput): WebClusterPlan {
  const { name, cluster: c } = input;
  const at = `webClusters.${name}`;
  const guestKey = (key: string) => webClusterGuestKey(name, key);
  const members = planClusterMembers(c, { configPath: at, guestKey, guests: input.guests });
  const { balancers: lbs, nodes, cronNode, phpVersion } = members;
  const shared = planSharedStorage({
    moodle: {
      sharedStorage: { ...c.sharedStorage, id: webClusterStorageId(name, c) },
      sharedFiles: c.sharedFiles,
    },
    proxmoxNodes: input.proxmoxNodes,
  });
  const layout = webNodeLayout(name, c.sharedPath, phpVersion, sharedMarkerFile);
  const runtime = c.runtime;
  const sizing = new Map(
    nodes.map((n) => [
      n.key,
      runtime.kind === "php" ? webPoolSizing(n.plan, runtime.memoryLimitMb) : undefined,
    ]),
  );
  const phpSizes = [...sizing.values()].filter((s): s is PoolSizing => s !== undefined);
  const prefixLength = Number(input.networkCidr.split("/")[1]);
  const balancers = planFront({
    configPath: at,
    balancers: lbs,
    nodes,
    vip: c.vip,
    prefixLength,
    port: webNodePort,
    healthCheck: { uri: c.healthCheckPath, host: c.publicHostname },
    maxConnPerNode: phpSizes.length ? Math.min(...phpSizes.map((s) => s.maxChildren)) : undefined,
    stats: { port: PORTS.haproxyStats },
    metrics: { port: PORTS.haproxyMetrics },
    naming: { name, label: name },
  });
  const trustedProxies = trustedProxyAddresses(lbs, c.vip, input.tunnelConnectorIps);
  const url = `https://${c.publicHostname}`;
  const db = input.database;
  const redis = c.redisSessions && runtime.kind === "php" ? input.redis : undefined;
  const environment: Record<string, string> = {
    ...c.environment,
    APP_URL: url,
    SHARED_DIR: c.sharedPath,
    ...(db
      ? {
          DB_HOST: db.host,
          DB_PORT: String(db.port),
          DB_NAME: db.name,
          DB_USER: db.user,
          DB_PASSWORD: `@@${webDbPasswordVariable}@@`,
        }
      : {}),
    ...(redis
      ? {
          REDIS_HOST: redis.host,
          REDIS_PORT: String(redis.port),
          REDIS_USER: redis.user,
          REDIS_PASSWORD: `@@${webRedisPasswordVariable}@@`,
          REDIS_PREFIX: redis.keyPrefix,
        }
      : {}),
  };
  const jobs = Object.entries(c.cronJobs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([job, j]) => ({ name: job, schedule: j.schedule, command: j.command }));
  return {
    url,
    cronNode,
    layout,
    shared,
    nfs: nfsServerPlan(shared),
    balancers,
    nodes: nodes.map((n) => ({
      key: n.key,
      guest: n.guest,
      input: {
        cluster: name,
        source: c.source,
        runtime:
          runtime.kind === "php"
            ? {
                kind: "php",
                extensions: runtime.extensions,
                memoryLimitMb: runtime.memoryLimitMb,
                sizing: sizing.get(n.key)!,
              }
            : { kind: "node", start: runtime.start, port: runtime.port },
        layout,
        documentRoot: c.documentRoot,
        serverName: c.publicHostname,
        listenPort: webNodePort,
        trustedProxies,
        healthUri: c.healthCheckPath,
        maxUploadMb: c.maxUploadMb,
        environment,
        redisSessions: redis
          ? { host: redis.host, port: redis.port, user: redis.user, prefix: `${redis.keyPrefix}sess:` }
          : undefined,
      },
      cron: {
        cluster: name,
        enabled: n.key === cronNode,
        jobs,
        codeDir: layout.codeDir,
        envFile: layout.envFile,
        sharedMarker: layout.sharedMarker,
      },
    })),
  };
}
