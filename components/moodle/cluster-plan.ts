/**
 * The Moodle cluster of a validated stack, as the inputs of the tier's renderers: which script runs on
 * which guest, with what. Everything is keyed by stack-config keys in sorted order, so adding an app node
 * changes only the balancers' configs, never another node's script or the NFS export (whose clients are
 * the Proxmox nodes). Pure: no Pulumi.
 */
import { primaryBalancerKey } from "../../config/assignments";
import type { GuestPlan } from "../../config/inventory";
import { PORTS } from "../../config/ports";
import type { MoodleConfig } from "../../config/tier-configs";
import type { AppNodeScriptInput } from "./app-script";
import type { InstallerScriptInput } from "./installer-script";
import { planFront, type BalancerPlan } from "../web-cluster/front";
import { resolveLayout, type MoodleLayout } from "./layout";
import { nfsServerPlan, type NfsServerPlan } from "../web-cluster/nfs";
import { planClusterMembers, trustedProxyAddresses, type ClusterGuest } from "../web-cluster/members";
import { planSharedStorage, type SharedStoragePlan } from "./shared-storage";
import { phpFpmPoolSizing, type PoolSizing } from "./php-fpm";

export type { MoodleConfig };

/** What the plan needs to know of a guest (from the site's inventory). */
export type MoodleGuest = ClusterGuest;

export interface MoodleClusterPlanInput {
  moodle: MoodleConfig;
  /** The site's guests; every `moodle-*` key of the stack must be among them. */
  guests: readonly MoodleGuest[];
  /** The site network (`network.cidr`); its prefix length is the VIP's. */
  networkCidr: string;
  /** Site name shown by Moodle (the client's name). */
  siteName: string;
  /** The Moodle admin's e-mail (the site's first admin address). */
  adminEmail: string;
  /** Guests running cloudflared: their X-Forwarded-For is trusted too. */
  tunnelConnectorIps?: readonly string[];
  /** The MariaDB primary and Moodle's database account (its password is MOODLE_DB_PASSWORD). */
  database: { host: string; port: number; name: string; user: string };
  /** Redis and Moodle's ACL user (password MOODLE_REDIS_PASSWORD), whose keys must start with keyPrefix. */
  redis: { host: string; port: number; user: string; keyPrefix: string };
  /** The Proxmox nodes of the cluster: they mount the shared storage. */
  proxmoxNodes: readonly { name: string; address: string }[];
}

export type { BalancerPlan } from "../web-cluster/front";
export { virtualRouterId } from "../web-cluster/front";

export interface AppNodePlan {
  key: string;
  guest: string;
  input: AppNodeScriptInput;
  /** The one node that runs the installer and cron. */
  cron: boolean;
}

export interface MoodleClusterPlan {
  /** Public URL, the same on every node. */
  wwwroot: string;
  /** Where the public traffic arrives: the VIP, or the single balancer's address. */
  frontAddress: string;
  /** Stack key of the node that installs Moodle and runs cron. */
  cronNode: string;
  /** Resolved and checked once here; every renderer of the cluster takes it as it is. */
  layout: MoodleLayout;
  /** The cluster storage of the shared dataroot, bind-mounted into every app node. */
  shared: SharedStoragePlan;
  /** The sharedFiles node's export, when that node serves the storage. */
  nfs?: NfsServerPlan;
  balancers: BalancerPlan[];
  nodes: AppNodePlan[];
  installer: InstallerScriptInput;
}

/** Port nginx listens on in every app node (TLS ends at Cloudflare). */
export const appNodePort = 80;
/** HAProxy's stats page (config/ports.ts `haproxyStats`). */
export const haproxyStatsPort = 8404;
/** PHP `memory_limit` of the app nodes, MB: each php-fpm worker is budgeted this much. */
export const phpMemoryLimitMb = 256;
/** php-fpm workers per core at most: Moodle requests wait on the database, Redis and NFS. */
export const workersPerCore = 8;

/**
 * The php-fpm pool of an app node: every worker may reach PHP's memory_limit without the node running
 * out (memory minus the renderer's reserve for the OS, nginx and opcache), and no more than
 * `workersPerCore` per core, so a big-memory node does not get hundreds of workers fighting for CPU.
 */
export function appPoolSizing(node: Pick<GuestPlan, "cores" | "memoryMb">): PoolSizing {
  const reservedMb = 512 + 256;
  const byCores = Math.max(1, node.cores) * workersPerCore;
  const perChildMb = Math.max(phpMemoryLimitMb, Math.ceil((node.memoryMb - reservedMb) / byCores));
  return phpFpmPoolSizing({ memoryMb: node.memoryMb, reservedMb, perChildMb });
}

/** Maps the validated stack section onto every renderer input of the cluster. */
export function planMoodleCluster(input: MoodleClusterPlanInput): MoodleClusterPlan {
  const m = input.moodle;
  const guestKey = (key: string) => `moodle-${key}`;
  const members = planClusterMembers(m, { configPath: "moodle", guestKey, guests: input.guests });
  const { balancers: lbs, nodes, cronNode, phpVersion } = members;
  const shared = planSharedStorage({ moodle: m, proxmoxNodes: input.proxmoxNodes });
  const layout = resolveLayout({ phpVersion });
  const wwwroot = `https://${m.publicHostname}`;
  const frontAddress = m.vip ?? lbs[0].ip;

  const sizing = new Map(nodes.map((n) => [n.key, appPoolSizing(n.plan)]));
  const prefixLength = Number(input.networkCidr.split("/")[1]);
  const balancers: BalancerPlan[] = planFront({
    configPath: "moodle",
    balancers: lbs,
    nodes,
    vip: m.vip,
    primary: primaryBalancerKey(m),
    prefixLength,
    port: appNodePort,
    healthCheck: { uri: m.healthCheckPath, host: m.publicHostname },
    // A node takes no more requests than its php-fpm has workers; the rest wait in HAProxy's queue.
    maxConnPerNode: Math.min(...[...sizing.values()].map((s) => s.maxChildren)),
    stats: { port: haproxyStatsPort },
    metrics: { port: PORTS.haproxyMetrics },
  });

  const trustedProxies = trustedProxyAddresses(lbs, m.vip, input.tunnelConnectorIps);
  const appNodes: AppNodePlan[] = nodes.map(({ key, guest }) => ({
    key,
    guest,
    cron: key === cronNode,
    input: {
      moodleBranch: m.branch,
      gitUrl: m.gitUrl,
      site: {
        serverName: m.publicHostname,
        listenPort: appNodePort,
        trustedProxies,
        healthUri: m.healthCheckPath,
      },
      pool: { sizing: sizing.get(key)! },
      php: { memoryLimitMb: phpMemoryLimitMb },
      config: {
        wwwroot,
        database: { ...input.database },
        redis: {
          host: input.redis.host,
          port: input.redis.port,
          user: input.redis.user,
          prefix: `${input.redis.keyPrefix}sess:`,
        },
      },
      layout,
    },
  }));

  return {
    wwwroot,
    frontAddress,
    cronNode,
    layout,
    shared,
    nfs: nfsServerPlan(shared),
    balancers,
    nodes: appNodes,
    installer: {
      adminUser: m.adminUser,
      adminEmail: input.adminEmail,
      fullName: input.siteName,
      shortName: "LMS",
      muc: {
        host: input.redis.host,
        port: input.redis.port,
        user: input.redis.user,
        prefix: `${input.redis.keyPrefix}muc:`,
      },
      layout,
    },
  };
}
