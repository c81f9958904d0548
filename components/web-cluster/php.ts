/**
 * PHP-FPM of a web cluster's app node: the pool (sized from the node like Moodle's, workers' environment
 * with the application's settings and credentials, sessions in Redis) and the ini overrides (upload
 * limit, memory, opcache). Pure.
 */
import { Problems } from "../proxmox/problems";
import { fpmPoolHeadLines, type PoolSizing } from "../proxmox/php-fpm-pool";

export interface WebPhpPoolInput {
  /** Pool name (`[name]`), from the cluster's name. */
  name: string;
  socketPath: string;
  sizing: PoolSizing;
  /** Environment of the workers: the application's settings (`@@NAME@@` placeholders for secrets). */
  environment: Readonly<Record<string, string>>;
  /** PHP sessions in Redis through phpredis (an ACL user, keys under `prefix`). */
  redisSessions?: { host: string; port: number; user: string; passwordPlaceholder: string; prefix: string };
  /** A request running longer is killed, seconds. Default 300 (matches nginx and HAProxy). */
  requestTimeoutSeconds?: number;
  /** Unix user of the workers and the socket. Default `www-data`. */
  user?: string;
}

/** `/etc/php/<v>/fpm/pool.d/<name>.conf`. Holds credentials: install it 0640. */
export function renderWebPhpPool(input: WebPhpPoolInput): string {
  const user = input.user ?? "www-data";
  const s = input.sizing;
  const p = new Problems(`webCluster.${input.name}.phpFpm`);
  p.check(/^[a-z][a-z0-9_-]*$/.test(input.name), "name", input.name, "a pool name");
  p.check(/^\/[A-Za-z0-9._/-]+$/.test(input.socketPath), "socketPath", input.socketPath, "an absolute path");
  p.check(
    s.maxChildren >= 1 && s.maxSpareServers <= s.maxChildren,
    "sizing",
    s,
    "1 ≤ maxSpare ≤ maxChildren",
  );
  p.check(/^[a-z_][a-z0-9_-]*$/.test(user), "user", user, "a unix user name");
  for (const [key, value] of Object.entries(input.environment)) {
    p.check(/^[A-Z][A-Z0-9_]*$/.test(key), "environment", key, "an upper-case variable name");
    p.check(
      !/[\n"'\\$`%]/.test(value),
      `environment.${key}`,
      value,
      "a value without quotes, $, % or newlines",
    );
  }
  p.throwIfAny();
  const lines = [
    ...fpmPoolHeadLines({
      comment: `${input.name} pool. Rendered by proxmox-sites: edits are overwritten.`,
      name: input.name,
      user,
      socketPath: input.socketPath,
      sizing: s,
      maxRequests: 500,
      requestTimeoutSeconds: input.requestTimeoutSeconds ?? 300,
    }),
    "clear_env = yes",
    ...Object.entries(input.environment)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `env[${key}] = "${value}"`),
  ];
  const r = input.redisSessions;
  if (r) {
    const auth = `auth[]=${r.user}&auth[]=${r.passwordPlaceholder}`;
    lines.push(
      "; Sessions in the site's Redis under this application's ACL user: any node continues any session.",
      "php_admin_value[session.save_handler] = redis",
      `php_admin_value[session.save_path] = "tcp://${r.host}:${r.port}?${auth}&prefix=${r.prefix}"`,
      "php_admin_value[redis.session.locking_enabled] = 1",
    );
  }
  return `${lines.join("\n")}\n`;
}

export interface WebPhpIniInput {
  memoryLimitMb: number;
  maxUploadMb: number;
}

/** `/etc/php/<v>/{fpm,cli}/conf.d/90-<name>.ini`. */
export function renderWebPhpIni(input: WebPhpIniInput): string {
  return [
    "; PHP settings of the web cluster. Rendered by proxmox-sites: edits are overwritten.",
    `memory_limit = ${input.memoryLimitMb}M`,
    `upload_max_filesize = ${input.maxUploadMb}M`,
    `post_max_size = ${input.maxUploadMb + 8}M`,
    "max_execution_time = 300",
    "expose_php = Off",
    "opcache.enable = 1",
    "opcache.memory_consumption = 128",
    "opcache.max_accelerated_files = 20000",
    "opcache.validate_timestamps = 1",
    "opcache.revalidate_freq = 60",
    "",
  ].join("\n");
}
