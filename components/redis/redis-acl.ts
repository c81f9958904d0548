/**
 * The Redis ACL file: the default user switched off, an admin for operators, a monitoring user for
 * redis_exporter, and one user per application limited to its key prefix and channels. Passwords are
 * `#<sha256>` hashes filled from `@@NAME@@` placeholders, so no password is ever stored on the guest
 * (and a hash has no spaces, which the ACL file cannot hold). Pure: no Pulumi import.
 */
import { createHash } from "node:crypto";

export const DEFAULT_REDIS_ADMIN_USER = "admin";
export const DEFAULT_REDIS_MONITOR_USER = "exporter";
export const REDIS_ADMIN_PASSWORD_SHA256_ENV = "REDIS_ADMIN_PASSWORD_SHA256";
export const REDIS_MONITOR_PASSWORD_SHA256_ENV = "REDIS_MONITOR_PASSWORD_SHA256";

/**
 * What every application user may run: everything except admin and dangerous commands (CONFIG,
 * FLUSHALL/FLUSHDB, KEYS, DEBUG, SHUTDOWN, MONITOR, ACL, CLIENT KILL, INFO, …) and except the
 * scripting commands that act on the whole server (SCRIPT FLUSH/KILL, FUNCTION …). EVAL and EVALSHA
 * stay: Nextcloud and job queues use Lua, and keys named in a script are checked against the user's
 * patterns.
 */
export const REDIS_APP_BASE_RULES = [
  "+@all",
  "-@admin",
  "-@dangerous",
  "-@scripting",
  "+eval",
  "+evalsha",
  "+eval_ro",
  "+evalsha_ro",
  "+script|load",
  "+script|exists",
] as const;

/** What redis_exporter runs: INFO, CONFIG GET, SLOWLOG, LATENCY, CLIENT LIST; it reads no keys. */
export const REDIS_MONITOR_RULES = [
  "-@all",
  "+ping",
  "+info",
  "+select",
  "+config|get",
  "+client|list",
  "+client|info",
  "+client|setname",
  "+cluster|info",
  "+slowlog|get",
  "+slowlog|len",
  "+latency|latest",
  "+latency|histogram",
  "+memory|stats",
] as const;

/**
 * Commands known clients need beyond `REDIS_APP_BASE_RULES` (pass as `extraCommands`):
 * Moodle runs INFO on connect; Nextcloud's cache `clear()` runs KEYS <its prefix>*; Frappe's job
 * queue (RQ) reads the server version with INFO and Frappe clears cache keys with KEYS. KEYS lists
 * key names of the whole database (not values), so grant it only where the client needs it.
 */
export const REDIS_KNOWN_CLIENT_COMMANDS = {
  moodle: ["info"],
  nextcloud: ["keys"],
  frappe: ["info", "keys"],
  // phpredis' session handler needs only the base rules (GET, SETEX, DEL, EXPIRE, SET NX).
  web: [],
} as const satisfies Record<string, readonly string[]>;

export interface RedisAppUser {
  /** ACL user name, [a-z0-9_-]; its password hash comes from `redisAppPasswordSha256Env(name)`. */
  name: string;
  /** Key patterns the user may read and write. Default [`<name>:*`]; the client must prefix its keys. */
  keyPatterns?: readonly string[];
  /** Pub/Sub channel patterns. Default [`<name>:*`]. */
  channelPatterns?: readonly string[];
  /**
   * Commands allowed beyond `REDIS_APP_BASE_RULES`, e.g. `["info"]` for Moodle (it runs INFO on
   * connect) or `["keys"]` for a client that clears its cache with KEYS.
   */
  extraCommands?: readonly string[];
}

export interface RedisAclInput {
  /** One user per application. */
  apps: readonly RedisAppUser[];
  /** Operator account with every right. Default `admin`. */
  adminUser?: string;
  /** redis_exporter's account. Default `exporter`. */
  monitorUser?: string;
}

function checkUser(what: string, name: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(name) || name === "default") {
    throw new Error(
      `${what}: "${name}" must be 1 to 32 characters of a-z, 0-9, _ and - starting with a letter or digit (and not "default")`,
    );
  }
  return name;
}

function checkPatterns(what: string, patterns: readonly string[]): readonly string[] {
  if (patterns.length === 0) throw new Error(`${what}: needs at least one pattern`);
  for (const p of patterns) {
    if (!/^[\x21-\x7e]+$/.test(p)) throw new Error(`${what}: "${p}" must be printable ASCII without spaces`);
  }
  return patterns;
}

function checkCommand(what: string, command: string): string {
  if (!/^[a-z][a-z0-9_-]*(\|[a-z][a-z0-9_-]*)?$/.test(command)) {
    throw new Error(`${what}: "${command}" must be a command or command|subcommand in lower case`);
  }
  return command;
}

/**
 * Environment variable with the SHA-256 of an application user's password:
 * `REDIS_APP_<NAME>_PASSWORD_SHA256`, the name upper-cased with `-` as `_`
 * (`nextcloud-bowbo` → `REDIS_APP_NEXTCLOUD_BOWBO_PASSWORD_SHA256`).
 */
export function redisAppPasswordSha256Env(name: string): string {
  return `REDIS_APP_${checkUser("redis user", name).toUpperCase().replace(/-/g, "_")}_PASSWORD_SHA256`;
}

/** The hash Redis keeps of a password (`#<hash>` in an ACL rule): lower-case hex SHA-256. */
export function redisPasswordSha256(password: string): string {
  return createHash("sha256").update(password, "utf8").digest("hex");
}

/** Variables the Redis script needs in its stdin prelude. */
export function redisScriptEnv(input: RedisAclInput): string[] {
  return [
    REDIS_ADMIN_PASSWORD_SHA256_ENV,
    REDIS_MONITOR_PASSWORD_SHA256_ENV,
    ...input.apps.map((a) => redisAppPasswordSha256Env(a.name)),
  ].sort();
}

/** The prelude values of the Redis script, from the passwords (call inside an `apply`). */
export function redisScriptSecrets(passwords: {
  admin: string;
  monitor: string;
  /** By application user name. */
  apps: Readonly<Record<string, string>>;
}): Record<string, string> {
  const env: Record<string, string> = {
    [REDIS_ADMIN_PASSWORD_SHA256_ENV]: redisPasswordSha256(passwords.admin),
    [REDIS_MONITOR_PASSWORD_SHA256_ENV]: redisPasswordSha256(passwords.monitor),
  };
  for (const [name, pw] of Object.entries(passwords.apps))
    env[redisAppPasswordSha256Env(name)] = redisPasswordSha256(pw);
  return env;
}

/** Renders the ACL file (`REDIS_ACL_PATH`). */
export function renderRedisAcl(input: RedisAclInput): string {
  const admin = checkUser("adminUser", input.adminUser ?? DEFAULT_REDIS_ADMIN_USER);
  const monitor = checkUser("monitorUser", input.monitorUser ?? DEFAULT_REDIS_MONITOR_USER);
  const seen = new Set([admin, monitor]);
  if (seen.size !== 2) throw new Error(`adminUser and monitorUser must differ`);
  const envs = new Set<string>();
  const lines = [
    "user default off resetpass resetkeys resetchannels -@all",
    `user ${admin} on #@@${REDIS_ADMIN_PASSWORD_SHA256_ENV}@@ ~* &* +@all`,
    `user ${monitor} on #@@${REDIS_MONITOR_PASSWORD_SHA256_ENV}@@ resetkeys resetchannels ${REDIS_MONITOR_RULES.join(" ")}`,
  ];
  for (const app of input.apps) {
    const name = checkUser("redis application user", app.name);
    if (seen.has(name))
      throw new Error(`redis user ${name} is listed twice (or is the admin or monitor user)`);
    seen.add(name);
    const env = redisAppPasswordSha256Env(name);
    if (envs.has(env)) throw new Error(`redis user ${name}: another user already maps to ${env}`);
    envs.add(env);
    const keys = checkPatterns(`keyPatterns of ${name}`, app.keyPatterns ?? [`${name}:*`]);
    const channels = checkPatterns(`channelPatterns of ${name}`, app.channelPatterns ?? [`${name}:*`]);
    const extra = (app.extraCommands ?? []).map((c) => `+${checkCommand(`extraCommands of ${name}`, c)}`);
    lines.push(
      [
        `user ${name} on #@@${redisAppPasswordSha256Env(name)}@@`,
        "resetkeys",
        ...keys.map((k) => `~${k}`),
        "resetchannels",
        ...channels.map((c) => `&${c}`),
        ...REDIS_APP_BASE_RULES,
        ...extra,
      ].join(" "),
    );
  }
  return `${lines.join("\n")}\n`;
}
