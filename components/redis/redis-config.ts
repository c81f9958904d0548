/**
 * redis.conf for the site's shared Redis (cache, locks, sessions, job queues). Written for Redis 7
 * (Debian 12). It holds no secret: the users and their password hashes live in the ACL file
 * (`renderRedisAcl`). Pure: no Pulumi import.
 */
import ipaddr from "ipaddr.js";

export const REDIS_CONFIG_PATH = "/etc/redis/redis.conf";
export const REDIS_ACL_PATH = "/etc/redis/users.acl";
export const REDIS_DEFAULT_PORT = 6379;
/** Smallest guest this tier accepts. */
export const REDIS_MIN_MEMORY_MB = 256;

export interface RedisServerInput {
  /** The guest's own address; Redis listens only there. */
  bindAddress: string;
  /** TCP port. Default 6379. */
  port?: number;
  /** Memory of the guest in MB (at least 256); sizes maxmemory. */
  memoryMb: number;
  /** Data directory (append-only files). Default /var/lib/redis. */
  dataDir?: string;
  /** Log file; "" logs to standard output. Default /var/log/redis/redis-server.log. */
  logFile?: string;
  /** PID file. Default /run/redis/redis-server.pid (what Debian's unit expects). */
  pidFile?: string;
  /** ACL file with the users. Default /etc/redis/users.acl. */
  aclFile?: string;
}

/**
 * maxmemory for a guest that runs only Redis: half its memory. The other half is headroom for what
 * maxmemory does not count: the copy-on-write pages of the forked child during an AOF rewrite (up to
 * the whole data set under heavy writes), client and AOF buffers, fragmentation and the OS.
 * 4 GB → 2048 MB.
 */
export function redisMaxMemoryMb(memoryMb: number): number {
  if (!Number.isInteger(memoryMb) || memoryMb < REDIS_MIN_MEMORY_MB) {
    throw new Error(`memoryMb: ${memoryMb} must be a whole number of at least ${REDIS_MIN_MEMORY_MB}`);
  }
  return Math.floor(memoryMb / 2);
}

function checkPath(what: string, path: string, allowEmpty = false): string {
  if (allowEmpty && path === "") return path;
  if (!/^\/[\w./-]+$/.test(path)) throw new Error(`${what}: "${path}" must be an absolute path`);
  return path;
}

function checkServer(input: RedisServerInput): Required<RedisServerInput> {
  const isIp =
    ipaddr.IPv4.isValidFourPartDecimal(input.bindAddress) || ipaddr.IPv6.isValid(input.bindAddress);
  if (!isIp) throw new Error(`bindAddress: "${input.bindAddress}" must be an IPv4 or IPv6 address`);
  const port = input.port ?? REDIS_DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`port: ${port} must be a whole number from 1 to 65535`);
  }
  redisMaxMemoryMb(input.memoryMb);
  return {
    bindAddress: input.bindAddress,
    port,
    memoryMb: input.memoryMb,
    dataDir: checkPath("dataDir", input.dataDir ?? "/var/lib/redis"),
    logFile: checkPath("logFile", input.logFile ?? "/var/log/redis/redis-server.log", true),
    pidFile: checkPath("pidFile", input.pidFile ?? "/run/redis/redis-server.pid"),
    aclFile: checkPath("aclFile", input.aclFile ?? REDIS_ACL_PATH),
  };
}

/** Renders redis.conf (`REDIS_CONFIG_PATH`). */
export function renderRedisConfig(input: RedisServerInput): string {
  const s = checkServer(input);
  return [
    "# Rendered by proxmox-sites: the site's Redis (cache, locks, sessions, queues). Redis 7.",
    "# Network: only the guest's address; clients authenticate as ACL users (see the aclfile).",
    `bind ${s.bindAddress}`,
    "protected-mode yes",
    `port ${s.port}`,
    "tcp-backlog 511",
    "timeout 0",
    "tcp-keepalive 300",
    "daemonize no",
    "supervised auto",
    `pidfile ${s.pidFile}`,
    "loglevel notice",
    `logfile "${s.logFile}"`,
    "databases 16",
    "always-show-logo no",
    `dir ${s.dataDir}`,
    "",
    "# Users: default is off; each application has its own user, key prefix and password hash.",
    `aclfile ${s.aclFile}`,
    "acllog-max-len 128",
    "",
    "# Memory: half the guest's memory (the rest covers AOF-rewrite copy-on-write and buffers).",
    `maxmemory ${redisMaxMemoryMb(s.memoryMb)}mb`,
    "# Sessions, locks and job queues live here too: nothing is evicted silently. When full,",
    "# writes fail with an OOM error (alert on used_memory / maxmemory) instead of logging users",
    "# out or losing jobs. Caches must set TTLs; a pure cache would use allkeys-lru on its own instance.",
    "maxmemory-policy noeviction",
    "",
    "# Persistence: append-only file fsynced every second, so sessions and queued jobs survive a",
    "# restart (at most about one second lost). No RDB snapshots besides the AOF's own base.",
    'save ""',
    "appendonly yes",
    'appendfilename "appendonly.aof"',
    'appenddirname "appendonlydir"',
    "appendfsync everysec",
    "no-appendfsync-on-rewrite no",
    "auto-aof-rewrite-percentage 100",
    "auto-aof-rewrite-min-size 64mb",
    "aof-load-truncated yes",
    "aof-use-rdb-preamble yes",
    "",
    "# Hardening: no DEBUG, no module loading, no changing protected settings at run time.",
    "enable-debug-command no",
    "enable-module-command no",
    "enable-protected-configs no",
    "",
  ].join("\n");
}
