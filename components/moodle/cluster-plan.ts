/**
 * The Moodle cluster of a validated stack, as the inputs of the tier's renderers: which script runs on
 * which guest, with what. Everything is keyed by stack-config keys in sorted order, so adding an app node
 * changes only the balancers' configs and the NFS export, never another node's script. Pure: no Pulumi.
 */
import { primaryBalancerKey } from "../../config/assignments";
import type { GuestPlan } from "../../config/inventory";
import { PORTS } from "../../config/ports";
import type { SiteConfig } from "../../config/schema";
import type { AppNodeScriptInput } from "./app-script";
import type { BalancerScriptInput } from "./balancer-script";
import type { InstallerScriptInput } from "./installer-script";
import type { KeepalivedInput } from "./keepalived";
import type { MoodleLayout } from "./layout";
import type { NfsExportInput } from "./nfs";
import { phpFpmPoolSizing, type PoolSizing } from "./php-fpm";

export type MoodleConfig = NonNullable<SiteConfig["moodle"]>;

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
}

export interface BalancerPlan {
  /** Stack key (lb1). */
  key: string;
  /** Guest key (moodle-lb1). */
  guest: string;
  input: BalancerScriptInput;
}

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
  layout: Partial<MoodleLayout>;
  nfs: NfsExportInput;
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

/**
 * VRRP router id of the VIP: its last octet (readable, and unique on a /24 with one VIP per address),
 * or a digest of the address when the last octet is 0.
 */
export function virtualRouterId(vip: string): number {
  const octets = vip.split(".").map(Number);
  const last = octets[3];
  if (last >= 1 && last <= 255) return last;
  return 1 + (octets.reduce((sum, o, i) => sum + o * (i + 1), 0) % 255);
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
  const files = guestOf(input.guests, "moodle-files");
  const clustered = lbs.length >= 2;
  if (clustered && !m.vip) throw new Error("moodle.vip: required with two or more load balancers");
  if (!clustered && m.vip)
    throw new Error(`moodle.vip: ${m.vip} needs a second load balancer to hold it (keepalived)`);
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
  const layout: Partial<MoodleLayout> = { phpVersion: [...phpVersions][0] };
  const exportPath = m.sharedFiles.data.path;
  const wwwroot = `https://${m.publicHostname}`;
  const frontAddress = m.vip ?? lbs[0].guest.ip;

  const sizing = new Map(nodes.map((n) => [n.key, appPoolSizing(n.guest)]));
  const backendNodes = nodes.map((n) => ({ name: n.key, address: n.guest.ip, port: appNodePort }));
  const prefixLength = Number(input.networkCidr.split("/")[1]);
  const balancers: BalancerPlan[] = lbs.map(({ key, guest }) => {
    const keepalived: KeepalivedInput | undefined = clustered
      ? {
          balancers: lbs.map((lb) => ({ name: lb.key, address: lb.guest.ip })),
          self: key,
          primary: primaryBalancerKey(m),
          vip: m.vip!,
          vipPrefixLength: prefixLength,
          virtualRouterId: virtualRouterId(m.vip!),
        }
      : undefined;
    return {
      key,
      guest: `moodle-${key}`,
      input: {
        haproxy: {
          nodes: backendNodes,
          frontend: { address: guest.ip, port: appNodePort },
          vip: clustered ? m.vip : undefined,
          healthCheck: { uri: m.healthCheckPath, host: m.publicHostname },
          // A node takes no more requests than its php-fpm has workers; the rest wait in HAProxy's queue.
          maxConnPerNode: Math.min(...[...sizing.values()].map((s) => s.maxChildren)),
          // On every address, so the stats page answers on the VIP (statsHostname) and on each balancer.
          stats: { address: "0.0.0.0", port: haproxyStatsPort, user: "admin" },
          // Scraped by the monitoring guest (the firewall admits only it).
          metrics: { address: guest.ip, port: PORTS.haproxyMetrics },
        },
        keepalived,
      },
    };
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
      nfs: { server: files.ip, exportPath },
      layout,
    },
  }));

  return {
    wwwroot,
    frontAddress,
    cronNode,
    layout,
    nfs: { exportPath, clients: nodes.map((n) => n.guest.ip) },
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
