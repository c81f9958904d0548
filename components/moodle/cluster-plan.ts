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
import type { NfsServerPlan } from "../web-cluster/nfs";
import { planSharedStorage, type SharedStoragePlan } from "./shared-storage";
import { phpFpmPoolSizing, type PoolSizing } from "./php-fpm";

export type { MoodleConfig };

/** What the plan needs to know of a guest (from the site's inventory). */
export type MoodleGuest = Pick<GuestPlan, "key" | "ip" | "cores" | "memoryMb" | "template">;

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

/** PHP version of a template's packages (Moodle 4.5 needs 8.1 or later). */
const phpVersionByTemplate: Readonly<Record<string, string>> = { "debian-12": "8.2", "ubuntu-22-04": "8.1" };

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

function guestOf(guests: readonly MoodleGuest[], key: string): MoodleGuest {
  const found = guests.find((g) => g.key === key);
  if (!found) throw new Error(`moodle: no guest "${key}" in the site's inventory`);
  return found;
}

/** Maps the validated stack section onto every renderer input of the cluster. */
export function planMoodleCluster(input: MoodleClusterPlanInput): MoodleClusterPlan {
  const m = input.moodle;
  const lbKeys = Object.keys(m.loadBalancers).sort();
  const nodeKeys = Object.keys(m.nodes).sort();
  if (nodeKeys.length === 0) throw new Error("moodle.nodes: needs at least one app node");
  const lbs = lbKeys.map((key) => ({ key, guest: guestOf(input.guests, `moodle-${key}`) }));
  const nodes = nodeKeys.map((key) => ({ key, guest: guestOf(input.guests, `moodle-${key}`) }));
  const shared = planSharedStorage({ moodle: m, proxmoxNodes: input.proxmoxNodes });
  const cronNode = m.cronNode ?? nodeKeys[0];
  if (!nodeKeys.includes(cronNode))
    throw new Error(`moodle.cronNode: "${cronNode}" is not one of moodle.nodes (${nodeKeys.join(", ")})`);

  const phpVersions = new Set(
    nodes.map((n) => phpVersionByTemplate[n.guest.template ?? "debian-12"] ?? "8.2"),
  );
  if (phpVersions.size > 1)
    throw new Error(
      `moodle.nodes: every app node needs the same template (PHP ${[...phpVersions].join(", ")})`,
    );
  const layout = resolveLayout({ phpVersion: [...phpVersions][0] });
  const wwwroot = `https://${m.publicHostname}`;
  const frontAddress = m.vip ?? lbs[0].guest.ip;

  const sizing = new Map(nodes.map((n) => [n.key, appPoolSizing(n.guest)]));
  const prefixLength = Number(input.networkCidr.split("/")[1]);
  const balancers: BalancerPlan[] = planFront({
    configPath: "moodle",
    balancers: lbs.map(({ key, guest }) => ({ key, guest: `moodle-${key}`, ip: guest.ip })),
    nodes: nodes.map(({ key, guest }) => ({ key, guest: `moodle-${key}`, ip: guest.ip })),
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

  const trustedProxies = [
    ...new Set([
      ...lbs.map((lb) => lb.guest.ip),
      ...(m.vip ? [m.vip] : []),
      ...(input.tunnelConnectorIps ?? []),
      "127.0.0.1",
    ]),
  ];
  const appNodes: AppNodePlan[] = nodes.map(({ key }) => ({
    key,
    guest: `moodle-${key}`,
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
    nfs: shared.filesNode
      ? {
          node: shared.filesNode,
          input: { exportPath: shared.exportPath, directory: shared.directory, clients: shared.clients },
        }
      : undefined,
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
