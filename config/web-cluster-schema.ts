/**
 * The generic load-balanced web application tier (`webClusters: { <name>: … }`): one or two HAProxy
 * balancers, N app nodes running the application from a git ref or a pinned release tarball on PHP-FPM
 * or Node.js, sessions in the site's Redis, shared files on an NFS storage of the Proxmox cluster
 * bind-mounted into every app node, an account on the site's MariaDB, cron jobs on one node, published
 * through the tunnel. Moodle is the same cluster with Moodle's installer and rules (the `moodle` key).
 */
import { z } from "zod";
import { lxcGuestSchema } from "./guest";
import { configKey, dnsName, ipv4, storageId } from "./primitives";
import { sharedFilesSchema, sharedStorageSchema } from "./shared-files";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { message: "must be a lower-case hex SHA-256 digest" });
const httpsUrl = z.string().regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~/%+-]*$/, {
  message: "must be an https URL without query or credentials",
});

/** Where the application comes from: a git branch or tag, or a release tarball checked by its digest. */
export const webSourceSchema = z.union([
  z
    .object({
      /** Repository to clone (https). */
      git: httpsUrl,
      /** Branch or tag to check out (a commit id cannot be cloned shallowly). */
      ref: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, { message: "must be a branch or tag name" }),
    })
    .strict(),
  z
    .object({
      /** Release archive (.tar.gz) with the application and its dependencies. */
      tarball: httpsUrl,
      /** SHA-256 of the archive; the node refuses anything else. */
      sha256,
    })
    .strict(),
]);

const phpExtension = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, { message: "must be a Debian php-<name> package suffix" });

/** PHP-FPM (with Debian's php-<extension> packages) or Node.js (Debian's nodejs) runs the application. */
export const webRuntimeSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("php"),
      /** Extra PHP extensions (Debian package suffixes: intl, gd, zip…); fpm, cli, mysql, redis always. */
      extensions: z.array(phpExtension).default([]),
      /** PHP `memory_limit` per request, MB (the pool is sized from it). Default 256. */
      memoryLimitMb: z.number().int().min(64).max(4096).default(256),
    })
    .strict(),
  z
    .object({
      kind: z.literal("node"),
      /** Entry script, relative to the code directory, e.g. server.js. */
      start: z
        .string()
        .regex(/^[A-Za-z0-9_][\w./-]*$/, { message: "must be a path inside the code directory" }),
      /** Port the process listens on at 127.0.0.1 (nginx proxies to it). Default 3000. */
      port: z.number().int().min(1024).max(65535).default(3000),
    })
    .strict(),
]);

/** A job run by a systemd timer on the cron node only. */
export const webCronJobSchema = z
  .object({
    /** systemd OnCalendar expression, e.g. `*:0/5` (every five minutes) or `daily`. */
    schedule: z
      .string()
      .regex(/^[A-Za-z0-9*:/,. -]{1,60}$/, { message: "must be a systemd OnCalendar value such as *:0/5" }),
    /** Command run as www-data in the code directory with the application's environment. */
    command: z.string().regex(/^[^\n'%]{1,300}$/, { message: "must be one line without ' or %" }),
  })
  .strict();

/** The cluster's NFS storage: storage id default `<cluster>-shared` (webClusterStorageId), directory `files`. */
export const webSharedStorageSchema = sharedStorageSchema(storageId.optional(), "files");

/** Peak traffic the client expects: the plan compares it with the measured capacity of a node. */
export const webTrafficSchema = z
  .object({
    peakRequestsPerSecond: z.number().positive().optional(),
    /** Requests on the busiest day; spread as `peakHourShare` of them in the busiest hour. */
    peakRequestsPerDay: z.number().int().positive().optional(),
    /** Share of a day's requests in its busiest hour. Default 0.15. */
    peakHourShare: z.number().gt(0).max(1).default(0.15),
    /**
     * Requests per second one app node of 2 vCPUs serves, measured for this application; default the
     * load-balancer benchmark's small PHP page (docs/BENCHMARKS.md), which a real application rarely reaches.
     */
    nodeCapacityRps: z.number().positive().optional(),
  })
  .strict();

export const webClusterSchema = z
  .object({
    publicHostname: dnsName,
    /** One balancer, or two sharing `vip` through keepalived. */
    loadBalancers: z
      .record(configKey, lxcGuestSchema)
      .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= 2, {
        message: "must define one or two load balancers",
      }),
    /** Floating address of two balancers. */
    vip: ipv4.optional(),
    /** App nodes by key: adding one replaces nothing. */
    nodes: z.record(configKey, lxcGuestSchema).refine((m) => Object.keys(m).length >= 1, {
      message: "must define at least one app node",
    }),
    source: webSourceSchema,
    runtime: webRuntimeSchema,
    /** Directory nginx serves, relative to the code (e.g. `public`); `.` for the code directory. */
    documentRoot: z
      .string()
      .regex(/^(\.|[A-Za-z0-9_][\w.-]*(\/[A-Za-z0-9_][\w.-]*)*)$/, {
        message: "must be a relative path inside the code such as public, or .",
      })
      .default("."),
    /** Page the balancer checks on every node. The node's own page answers unless `appHealth`. */
    healthCheckPath: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]*$/, { message: "must be a path such as /healthz" })
      .default("/healthz"),
    /** Largest upload, MB (nginx and PHP). Default 64. */
    maxUploadMb: z.number().int().min(1).max(4096).default(64),
    /** PHP sessions in the site's Redis (no sticky sessions needed). Default true. */
    redisSessions: z.boolean().default(true),
    /** The application's account on the site's MariaDB; database and user `<name>`. */
    database: z
      .object({
        name: z
          .string()
          .regex(/^[a-z][a-z0-9_]{0,31}$/, { message: "must be a database name of a-z, 0-9 and _" })
          .optional(),
      })
      .strict()
      .optional(),
    /** Proxmox node serving the shared files over NFS (NFS-Ganesha) to the nodes, from `path` on it. */
    sharedFiles: sharedFilesSchema.optional(),
    sharedStorage: webSharedStorageSchema.prefault({}),
    /** Where the app nodes see the shared files. Default /srv/shared. */
    sharedPath: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]+$/, { message: "must be an absolute path" })
      .default("/srv/shared"),
    /** Plain (not secret) environment of the application. */
    environment: z
      .record(
        z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: "must be an upper-case variable name" }),
        z.string().regex(/^[^\n"'\\$`%]*$/),
      )
      .default({}),
    cronJobs: z.record(configKey, webCronJobSchema).default({}),
    /** Node that runs the cron jobs; default the first node key in sorted order. */
    cronNode: configKey.optional(),
    statsHostname: dnsName.optional(),
    traffic: webTrafficSchema.optional(),
  })
  .strict();

export type WebClusterConfig = z.infer<typeof webClusterSchema>;

/** The cluster's account on the site's MariaDB: `database.name`, default `web_<cluster>` (hyphens as _). */
export function webClusterDatabaseName(cluster: string, c: Pick<WebClusterConfig, "database">): string {
  return c.database?.name ?? `web_${cluster.replace(/-/g, "_")}`.slice(0, 32);
}

/** The cluster's Redis ACL user (its keys start with `<user>:`). */
export function webClusterRedisUser(cluster: string): string {
  return `web_${cluster.replace(/-/g, "_")}`;
}

/** The cluster's NFS storage id: `sharedStorage.id`, default `<cluster>-shared`. */
export function webClusterStorageId(cluster: string, c: Pick<WebClusterConfig, "sharedStorage">): string {
  return c.sharedStorage.id ?? `${cluster}-shared`;
}

/**
 * Guest key of a web cluster's balancer, app node or shared-files guest (`files`): the cluster's name and
 * the key under `loadBalancers`/`nodes`, e.g. `portal-lb1`, `portal-app2`, `portal-files`. Tunnel
 * connectors and firewall rules name guests by these keys.
 */
export function webClusterGuestKey(cluster: string, key: string): string {
  return `${cluster}-${key}`;
}
