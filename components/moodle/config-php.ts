/**
 * Moodle's `config.php` for every app node of the cluster: one public wwwroot behind a TLS-terminating
 * proxy, the shared dataroot with its shared temp/cache dirs, a node-local cache, sessions in Redis,
 * the MariaDB primary (and optional read replicas). Secrets are placeholders inside PHP nowdocs, so any
 * character but a newline is safe in them. Pure.
 */
import { isHostName, isIpv4, isPort, type MoodleLayout, Problems } from "./layout";
import { dataRootAlias } from "./nginx";
import { phpSecret, phpString } from "../proxmox/php-string";

export interface MoodleDatabase {
  /** Host (address or name) of the MariaDB primary. */
  host: string;
  /** Default 3306. */
  port?: number;
  /** Database name. */
  name: string;
  /** Database user; its password comes from the exported MOODLE_DB_PASSWORD. */
  user: string;
  /** Table prefix. Default `mdl_`. */
  prefix?: string;
  /** Read-only replicas Moodle may send reads to (same user and password). */
  readReplicas?: readonly string[];
}

export interface MoodleRedisSessions {
  /** Redis host; the password comes from the exported MOODLE_REDIS_PASSWORD. */
  host: string;
  /**
   * Redis ACL user. Moodle hands `session_redis_auth` to phpredis' `auth()` unchanged, which sends
   * `AUTH <user> <password>` for a `[user, password]` pair. Without a user Moodle sends
   * `AUTH <password>`, which only Redis' default user accepts.
   */
  user?: string;
  /** Default 6379. */
  port?: number;
  /** Redis database number. Default 0. */
  database?: number;
  /** Key prefix of the sessions. Default `mdl_sess_`. */
  prefix?: string;
  /** How long a request waits for its session lock, seconds. Default 120. */
  acquireLockTimeoutSeconds?: number;
  /** A session lock expires after this, seconds (longest request). Default 7200. */
  lockExpireSeconds?: number;
}

export interface MoodleConfigInput {
  /** Public URL, `https://host` without a trailing slash; the same on every node. */
  wwwroot: string;
  /**
   * True when nodes are reached through a different host or port than wwwroot. Default false: the
   * balancer forwards the public host unchanged (field note: reverseproxy only for a different URL).
   */
  reverseProxy?: boolean;
  database: MoodleDatabase;
  redis: MoodleRedisSessions;
  /** Moodle's admin directory. Default `admin`. */
  adminDir?: string;
  /** Mode of the directories Moodle creates, octal. Default `02770` (owner and group www-data only). */
  directoryPermissions?: string;
  /** The resolved layout (`resolveLayout`): dataroot and node-local cache. */
  layout: MoodleLayout;
}

export const moodleDbPasswordVariable = "MOODLE_DB_PASSWORD";
export const moodleRedisPasswordVariable = "MOODLE_REDIS_PASSWORD";

export { phpString };

/** True for a Redis ACL user name (not `default`, which our Redis switches off). */
export function isRedisUser(value: string): boolean {
  return /^[a-z0-9][a-z0-9_-]{0,31}$/.test(value) && value !== "default";
}

/**
 * The PHP value phpredis' `auth()` takes: `[user, password]` for an ACL user, the bare password for
 * Redis' default user. `password` is PHP code (a nowdoc or a variable).
 */
export function phpRedisAuth(user: string | undefined, password: string): string {
  return user === undefined ? password : `[${phpString(user)}, ${password}]`;
}

function validate(input: MoodleConfigInput): void {
  const p = new Problems("moodle.config");
  const url = /^https:\/\/([^/:]+)$/.exec(input.wwwroot);
  p.check(
    url !== null && isHostName(url[1]),
    "wwwroot",
    input.wwwroot,
    "https://<host> without a path or slash",
  );
  const hostOk = (h: string) => isIpv4(h) || isHostName(h);
  const db = input.database;
  p.check(hostOk(db.host), "database.host", db.host, "an address or host name");
  p.check(isPort(db.port ?? 3306), "database.port", db.port, "a port");
  p.check(/^[A-Za-z0-9_]{1,64}$/.test(db.name), "database.name", db.name, "a name of [A-Za-z0-9_]");
  p.check(/^[A-Za-z0-9_]{1,32}$/.test(db.user), "database.user", db.user, "a user of [A-Za-z0-9_]");
  p.check(
    /^[a-z][a-z0-9_]{0,9}$/.test(db.prefix ?? "mdl_"),
    "database.prefix",
    db.prefix,
    "a short prefix like mdl_",
  );
  for (const replica of db.readReplicas ?? [])
    p.check(hostOk(replica), "database.readReplicas", replica, "a host");
  const r = input.redis;
  p.check(hostOk(r.host), "redis.host", r.host, "an address or host name");
  p.check(isPort(r.port ?? 6379), "redis.port", r.port, "a port");
  p.check(Number.isInteger(r.database ?? 0) && (r.database ?? 0) >= 0, "redis.database", r.database, "≥ 0");
  if (r.user !== undefined)
    p.check(isRedisUser(r.user), "redis.user", r.user, "a Redis ACL user of [a-z0-9_-]");
  p.check(/^[A-Za-z0-9_:-]{1,32}$/.test(r.prefix ?? "mdl_sess_"), "redis.prefix", r.prefix, "a key prefix");
  for (const key of ["acquireLockTimeoutSeconds", "lockExpireSeconds"] as const) {
    const value = r[key] ?? 1;
    p.check(Number.isInteger(value) && value >= 1, `redis.${key}`, value, "an integer ≥ 1");
  }
  p.check(
    /^[a-z][a-z0-9_]*$/.test(input.adminDir ?? "admin"),
    "adminDir",
    input.adminDir,
    "a directory name",
  );
  p.check(
    /^0[0-7]{3,4}$/.test(input.directoryPermissions ?? "02770"),
    "directoryPermissions",
    input.directoryPermissions,
    "octal like 02770",
  );
  p.throwIfAny();
}

/** `<codeDir>/config.php`. Holds the `@@MOODLE_DB_PASSWORD:php@@` and `@@MOODLE_REDIS_PASSWORD:php@@` placeholders. */
export function renderMoodleConfigPhp(input: MoodleConfigInput): string {
  const { layout } = input;
  validate(input);
  const db = input.database;
  const r = input.redis;
  const replicas = db.readReplicas ?? [];
  const dboptions = [
    "    'dbpersist' => 0,",
    `    'dbport' => ${db.port ?? 3306},`,
    "    'dbsocket' => '',",
    "    'dbcollation' => 'utf8mb4_unicode_ci',",
  ];
  if (replicas.length > 0) {
    dboptions.push(
      "    // Reads may go to these replicas; Moodle keeps a user's reads on the primary right after a write.",
      `    'readonly' => ['instance' => [${replicas.map(phpString).join(", ")}], 'connecttimeout' => 2, 'latency' => 1],`,
    );
  }
  return [
    "<?php // Moodle configuration. Rendered by proxmox-sites: edits are overwritten.",
    "unset($CFG);",
    "global $CFG;",
    "$CFG = new stdClass();",
    "",
    "$CFG->dbtype = 'mariadb';",
    "$CFG->dblibrary = 'native';",
    `$CFG->dbhost = ${phpString(db.host)};`,
    `$CFG->dbname = ${phpString(db.name)};`,
    `$CFG->dbuser = ${phpString(db.user)};`,
    `$CFG->dbpass = ${phpSecret(moodleDbPasswordVariable)};`,
    `$CFG->prefix = ${phpString(db.prefix ?? "mdl_")};`,
    "$CFG->dboptions = [",
    ...dboptions,
    "];",
    "",
    "// The same public URL on every node. TLS ends at Cloudflare; the balancer sends X-Forwarded-Proto.",
    `$CFG->wwwroot = ${phpString(input.wwwroot)};`,
    "$CFG->sslproxy = true;",
    `$CFG->reverseproxy = ${input.reverseProxy === true ? "true" : "false"};`,
    "// nginx already set REMOTE_ADDR from the trusted balancers' X-Forwarded-For: do not read headers again.",
    "$CFG->getremoteaddrconf = 3;",
    "",
    "// Shared by every node (NFS): dataroot, and, per config-dist.php, cachedir, tempdir and backuptempdir.",
    `$CFG->dataroot = ${phpString(layout.dataRoot)};`,
    `$CFG->cachedir = ${phpString(`${layout.dataRoot}/cache`)};`,
    `$CFG->tempdir = ${phpString(`${layout.dataRoot}/temp`)};`,
    `$CFG->backuptempdir = ${phpString(`${layout.dataRoot}/temp/backup`)};`,
    "// Local to this node (localrequestdir stays at its default, the node's own temp dir).",
    `$CFG->localcachedir = ${phpString(layout.localCacheDir)};`,
    `$CFG->admin = ${phpString(input.adminDir ?? "admin")};`,
    `$CFG->directorypermissions = ${input.directoryPermissions ?? "02770"};`,
    "// Files of the dataroot are sent by nginx (X-Accel-Redirect), not streamed through PHP.",
    "$CFG->xsendfile = 'X-Accel-Redirect';",
    `$CFG->xsendfilealiases = [${phpString(dataRootAlias)} => $CFG->dataroot];`,
    "// Code is read-only to PHP: plugins and upgrades come from provisioning, not the web UI.",
    "$CFG->disableupdateautodeploy = true;",
    "$CFG->preventexecpath = true;",
    "",
    "// Sessions in Redis: no sticky sessions needed at the balancer.",
    "$CFG->session_handler_class = '\\core\\session\\redis';",
    `$CFG->session_redis_host = ${phpString(r.host)};`,
    `$CFG->session_redis_port = ${r.port ?? 6379};`,
    `$CFG->session_redis_database = ${r.database ?? 0};`,
    `$CFG->session_redis_auth = ${phpRedisAuth(r.user, phpSecret(moodleRedisPasswordVariable))};`,
    `$CFG->session_redis_prefix = ${phpString(r.prefix ?? "mdl_sess_")};`,
    `$CFG->session_redis_acquire_lock_timeout = ${r.acquireLockTimeoutSeconds ?? 120};`,
    `$CFG->session_redis_lock_expire = ${r.lockExpireSeconds ?? 7200};`,
    "",
    "require_once(__DIR__ . '/lib/setup.php');",
    "",
  ].join("\n");
}
