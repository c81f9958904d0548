/**
 * Typed inputs of the Frappe/ERPNext tier and their validation. Pure: no Pulumi import.
 *
 * Frappe v15 runs in Docker inside its LXC guest (nesting on) and uses the site's external MariaDB and Redis.
 */
import { CONTAINER_IMAGE_NAME, CONTAINER_IMAGE_TAG } from "../../config/primitives";
import { throwIfProblems } from "../proxmox/problems";
import {
  absolutePathProblem,
  hostProblem,
  ipOrCidrProblem,
  ipProblem,
  isDnsName,
  portProblem,
  positiveIntegerProblem,
} from "../webapps/validate";

/** The custom Frappe image built with the site's apps (frappe_docker "custom image"). */
export interface FrappeImage {
  /** Repository, e.g. `ghcr.io/bowbo/erpnext-custom`. */
  name: string;
  /** Tag, e.g. `v15.60.1`. Changing it recreates the containers and runs `bench migrate`. */
  tag: string;
}

/** Optional login for a private registry; the password comes from the variable FRAPPE_REGISTRY_PASSWORD. */
export interface FrappeRegistryLogin {
  /** Registry host, e.g. `ghcr.io`. */
  server: string;
  /** Registry user name. */
  username: string;
}

/**
 * The site's database on the external MariaDB. Frappe v15 connects as a user named exactly like the database
 * (`db_user` defaults to `db_name`); the data tier creates both, see `frappeDatabaseRequirements`.
 */
export interface FrappeDatabase {
  /** MariaDB host (the primary), e.g. `192.168.0.10`. */
  host: string;
  /** MariaDB port, default 3306. */
  port?: number;
  /** Database name, also the user name: letters, digits, `_`, at most 64 characters. */
  name: string;
}

/** The external Redis. Password from FRAPPE_REDIS_PASSWORD (URL-safe characters only). */
export interface FrappeRedis {
  /** Redis host, e.g. `192.168.0.12`. */
  host: string;
  /** Redis port, default 6379. */
  port?: number;
  /** ACL user Frappe authenticates as. */
  user: string;
  /** Logical database for the cache (`redis_cache`), default 1. */
  cacheDb?: number;
  /** Logical database for queues and socket.io (`redis_queue`, `redis_socketio`), default 2. */
  queueDb?: number;
}

export interface FrappeSiteInput {
  /** Frappe site name (a DNS name); the nginx frontend serves every request as this site. */
  siteName: string;
  image: FrappeImage;
  registryLogin?: FrappeRegistryLogin;
  /** Apps installed on the site after `frappe`, in order (prod: erpnext, payments, hrms, wiki, helpdesk, print_designer). */
  apps: readonly string[];
  database: FrappeDatabase;
  redis: FrappeRedis;
  /** Guest address the frontend is published on, e.g. `192.168.0.50`. */
  bindAddress: string;
  /** Guest port the frontend is published on (tunnel origin `http://bindAddress:httpPort`), default 8080. */
  httpPort?: number;
  /** Address or CIDR of the proxy in front (the cloudflared guest) whose client-IP header nginx trusts. */
  trustedProxy: string;
  /** Header carrying the client address from that proxy, default `CF-Connecting-IP`. */
  realIpHeader?: string;
  /** Largest upload in MB, default 50. */
  clientMaxBodySizeMb?: number;
  /** nginx → gunicorn read timeout in seconds, default 120. */
  proxyReadTimeoutSeconds?: number;
  /** Directory in the guest holding compose.yaml and .env, default `/opt/frappe`. */
  projectDir?: string;
}

/** Inputs with every default applied. */
export type ResolvedFrappeSite = Required<Omit<FrappeSiteInput, "registryLogin" | "database" | "redis">> & {
  registryLogin?: FrappeRegistryLogin;
  database: Required<FrappeDatabase>;
  redis: Required<FrappeRedis>;
};

const appName = /^[a-z][a-z0-9_]*$/;
// The stack's schema checks the same shapes at the stack key.
const imageName = CONTAINER_IMAGE_NAME;
const imageTag = CONTAINER_IMAGE_TAG;
const dbName = /^[A-Za-z0-9_]{1,64}$/;
const redisUser = /^[A-Za-z0-9_.-]{1,64}$/;
const headerName = /^[A-Za-z0-9-]+$/;

/** Applies defaults and reports every problem at once (one Error listing them all). */
export function resolveFrappeSite(input: FrappeSiteInput): ResolvedFrappeSite {
  const site: ResolvedFrappeSite = {
    siteName: input.siteName,
    image: input.image,
    registryLogin: input.registryLogin,
    apps: input.apps,
    database: { port: 3306, ...input.database },
    redis: { port: 6379, cacheDb: 1, queueDb: 2, ...input.redis },
    bindAddress: input.bindAddress,
    httpPort: input.httpPort ?? 8080,
    trustedProxy: input.trustedProxy,
    realIpHeader: input.realIpHeader ?? "CF-Connecting-IP",
    clientMaxBodySizeMb: input.clientMaxBodySizeMb ?? 50,
    proxyReadTimeoutSeconds: input.proxyReadTimeoutSeconds ?? 120,
    projectDir: input.projectDir ?? "/opt/frappe",
  };
  const { database, redis, registryLogin } = site;
  const problems: (string | undefined)[] = [
    isDnsName(site.siteName) ? undefined : `frappe.siteName: ${site.siteName} is not a DNS name`,
    imageName.test(site.image.name)
      ? undefined
      : `frappe.image.name: ${site.image.name} is not an image name`,
    imageTag.test(site.image.tag) ? undefined : `frappe.image.tag: ${site.image.tag} is not an image tag`,
    hostProblem("frappe.database.host", database.host),
    portProblem("frappe.database.port", database.port),
    dbName.test(database.name) ? undefined : `frappe.database.name: ${database.name} is not a database name`,
    hostProblem("frappe.redis.host", redis.host),
    portProblem("frappe.redis.port", redis.port),
    redisUser.test(redis.user) ? undefined : `frappe.redis.user: ${redis.user} is not a Redis user name`,
    ipProblem("frappe.bindAddress", site.bindAddress),
    portProblem("frappe.httpPort", site.httpPort),
    ipOrCidrProblem("frappe.trustedProxy", site.trustedProxy),
    headerName.test(site.realIpHeader)
      ? undefined
      : `frappe.realIpHeader: ${site.realIpHeader} is not a header name`,
    positiveIntegerProblem("frappe.clientMaxBodySizeMb", site.clientMaxBodySizeMb),
    positiveIntegerProblem("frappe.proxyReadTimeoutSeconds", site.proxyReadTimeoutSeconds),
    absolutePathProblem("frappe.projectDir", site.projectDir),
  ];
  if (registryLogin) {
    problems.push(
      hostProblem("frappe.registryLogin.server", registryLogin.server.replace(/:[0-9]+$/, "")),
      /^[A-Za-z0-9_.@-]+$/.test(registryLogin.username)
        ? undefined
        : `frappe.registryLogin.username: ${registryLogin.username} has unexpected characters`,
    );
  }
  for (const app of site.apps) {
    if (!appName.test(app)) problems.push(`frappe.apps: ${app} is not a Frappe app name`);
    if (app === "frappe") problems.push("frappe.apps: frappe is always installed, do not list it");
  }
  if (new Set(site.apps).size !== site.apps.length) problems.push("frappe.apps: an app is listed twice");
  for (const [key, db] of [
    ["cacheDb", redis.cacheDb],
    ["queueDb", redis.queueDb],
  ] as const) {
    if (!Number.isInteger(db) || db < 0 || db > 15)
      problems.push(`frappe.redis.${key}: ${db} is not a Redis database 0-15`);
  }
  if (redis.cacheDb === redis.queueDb) problems.push("frappe.redis: cacheDb and queueDb must differ");
  throwIfProblems("Frappe site", problems);
  return site;
}
