/**
 * Exporters on the site's guests: what to install, which files to write and what to run, as parts a
 * guest's provisioning script includes (or `renderExporterScript` turns into a script of their own).
 * Pure: no Pulumi import.
 */
import { renderScript, type GuestFile } from "../proxmox/script";
import { placeholdersIn } from "../proxmox/secret-forms";
import { renderSecretChecks } from "../proxmox/secret-checks";
import { aptInstallMissing, enableAndStart } from "./packages";
import { HAPROXY_EXPORTER_PORT, MYSQLD_EXPORTER_PORT, REDIS_EXPORTER_PORT } from "./ports";

export {
  HAPROXY_EXPORTER_PORT,
  MYSQLD_EXPORTER_PORT,
  NODE_EXPORTER_PORT,
  PVE_EXPORTER_PORT,
  REDIS_EXPORTER_PORT,
} from "./ports";

/** Placeholder for the MariaDB exporter login's password (filled from the stdin prelude). */
export const MARIADB_MONITOR_PASSWORD_PLACEHOLDER = "@@MARIADB_MONITOR_PASSWORD@@";
/** Placeholder for the Redis password the exporter authenticates with (filled from the stdin prelude). */
export const REDIS_EXPORTER_PASSWORD_PLACEHOLDER = "@@REDIS_EXPORTER_PASSWORD@@";
/** Option file the MariaDB exporter reads its login from. */
export const MYSQLD_EXPORTER_MY_CNF_PATH = "/etc/prometheus/mysqld-exporter.my.cnf";

/** A piece of a provisioning script: packages, then setup, files, then body. */
export interface ScriptPart {
  /** Debian/Ubuntu packages installed when missing. */
  packages: readonly string[];
  /** Environment variables (secrets) the part uses besides its files' placeholders. */
  requiredEnv: readonly string[];
  files: readonly GuestFile[];
  /** Bash run after the files are written. */
  body: string;
}

/** prometheus-node-exporter (listens on :9100): for every guest and the Proxmox host. */
export function nodeExporterPart(): ScriptPart {
  return {
    packages: ["prometheus-node-exporter"],
    requiredEnv: [],
    files: [],
    body: enableAndStart("prometheus-node-exporter"),
  };
}

/** The script installing node_exporter alone: on every guest of a monitored site and on every node. */
export const NODE_EXPORTER_SCRIPT = renderExporterScript(
  "Prometheus node exporter for the site's monitoring",
  [nodeExporterPart()],
);

export interface MysqldExporterInput {
  /** Login the exporter uses; default "exporter". Created by this part (see `createUser`). */
  user?: string;
  /** MariaDB's socket; default /run/mysqld/mysqld.sock. */
  socketPath?: string;
  /**
   * Create/refresh the login (and its grants) on this server through the socket as root. The
   * statements run with the binary log off, so this is safe on a replica (no local GTID) and is
   * done on every database guest; default true.
   */
  createUser?: boolean;
  /** Also collect the heartbeat table written by `mariadbHeartbeatSql` (true lag); default false. */
  heartbeat?: boolean;
  /** Address the exporter listens on; default ":9104". */
  listenAddress?: string;
}

function sqlLogin(user: string): string {
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(user))
    throw new Error(`mysqld exporter user: "${user}" is not a plain login`);
  return `'${user}'@'localhost'`;
}

/**
 * Bash creating (or refreshing) the exporter's login through the socket as root, with the binary log
 * off for the session: the login is local to each server, so a replica gets no GTID of its own.
 */
export function mysqldExporterUserStep(input: Pick<MysqldExporterInput, "user" | "socketPath"> = {}): string {
  const login = sqlLogin(input.user ?? "exporter");
  const socket = input.socketPath ?? "/run/mysqld/mysqld.sock";
  return [
    "# The exporter's login: local to this server (binary log off), so replicas stay GTID-clean.",
    "pw=${MARIADB_MONITOR_PASSWORD}",
    `mariadb --protocol=socket --socket=${socket} <<SQL`,
    "SET SESSION sql_log_bin = 0;",
    `CREATE USER IF NOT EXISTS ${login} IDENTIFIED BY '\${pw}' WITH MAX_USER_CONNECTIONS 3;`,
    `ALTER USER ${login} IDENTIFIED BY '\${pw}' WITH MAX_USER_CONNECTIONS 3;`,
    // MariaDB ≥ 10.5 needs SLAVE MONITOR for SHOW SLAVE STATUS (REPLICATION CLIENT no longer covers it).
    `GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO ${login};`,
    "SQL",
  ].join("\n");
}

/** prometheus-mysqld-exporter on a database guest; password via MARIADB_MONITOR_PASSWORD. */
export function mysqldExporterPart(input: MysqldExporterInput = {}): ScriptPart {
  const user = input.user ?? "exporter";
  sqlLogin(user);
  const socket = input.socketPath ?? "/run/mysqld/mysqld.sock";
  const flags = [
    `--config.my-cnf=${MYSQLD_EXPORTER_MY_CNF_PATH}`,
    `--web.listen-address=${input.listenAddress ?? `:${MYSQLD_EXPORTER_PORT}`}`,
    "--collect.slave_status",
    ...(input.heartbeat ? ["--collect.heartbeat", "--collect.heartbeat.utc"] : []),
  ];
  // One restart after both files: restarting after the first would start the exporter on the
  // package's ARGS, which fail; and the package's own start, before its files exist, crash-loops
  // into systemd's start limit, which only reset-failed lifts (the site in a box found both).
  const restart = "mysqld_exporter_restart=1";
  const files: GuestFile[] = [
    {
      path: MYSQLD_EXPORTER_MY_CNF_PATH,
      content: `[client]\nuser=${user}\npassword="${MARIADB_MONITOR_PASSWORD_PLACEHOLDER}"\nsocket=${socket}\n`,
      mode: "0640",
      owner: "root:prometheus",
      onChange: restart,
    },
    {
      path: "/etc/default/prometheus-mysqld-exporter",
      content: `# Rendered by proxmox-sites (monitoring)\nARGS="${flags.join(" ")}"\n`,
      onChange: restart,
    },
  ];
  const createUser = mysqldExporterUserStep(input);
  return {
    packages: ["prometheus-mysqld-exporter"],
    requiredEnv: ["MARIADB_MONITOR_PASSWORD"],
    files,
    body: [
      ...(input.createUser === false ? [] : [createUser]),
      'if [ "${mysqld_exporter_restart:-0}" = 1 ]; then',
      "  systemctl reset-failed prometheus-mysqld-exporter",
      "  systemctl restart prometheus-mysqld-exporter",
      "fi",
      enableAndStart("prometheus-mysqld-exporter"),
    ].join("\n"),
  };
}

/**
 * SQL for the primary only (binary log on, so it replicates): a heartbeat row rewritten every second
 * by an event, in pt-heartbeat's layout that mysqld_exporter's `--collect.heartbeat` reads. The
 * server needs `event_scheduler=ON` in its config (the database tier's my.cnf).
 */
export function mariadbHeartbeatSql(): string {
  return [
    "CREATE DATABASE IF NOT EXISTS heartbeat;",
    "CREATE TABLE IF NOT EXISTS heartbeat.heartbeat (",
    "  server_id INT UNSIGNED NOT NULL PRIMARY KEY,",
    "  ts VARCHAR(26) NOT NULL",
    ") ENGINE=InnoDB;",
    "CREATE EVENT IF NOT EXISTS heartbeat.beat ON SCHEDULE EVERY 1 SECOND DO",
    "  REPLACE INTO heartbeat.heartbeat (server_id, ts)",
    "  VALUES (@@server_id, DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f'));",
    "",
  ].join("\n");
}

export interface RedisExporterInput {
  /** Redis URL; default redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** ACL user the exporter logs in as (see `redisExporterAclRule`); absent = the default user. */
  user?: string;
  /** Address the exporter listens on; default ":9121". */
  listenAddress?: string;
}

/** prometheus-redis-exporter on the Redis guest; password via REDIS_EXPORTER_PASSWORD. */
export function redisExporterPart(input: RedisExporterInput = {}): ScriptPart {
  const url = input.redisUrl ?? "redis://127.0.0.1:6379";
  if (!/^rediss?:\/\/[\w.:[\]-]+(\/\d+)?$/.test(url))
    throw new Error(`redis exporter redisUrl: "${url}" is not redis://host:port`);
  if (input.user !== undefined && !/^[a-z][a-z0-9_-]*$/.test(input.user)) {
    throw new Error(`redis exporter user: "${input.user}" is not a plain ACL user name`);
  }
  const flags = [
    `--redis.addr=${url}`,
    `--web.listen-address=${input.listenAddress ?? `:${REDIS_EXPORTER_PORT}`}`,
  ];
  const env = [
    "# Rendered by proxmox-sites (monitoring)",
    `ARGS="${flags.join(" ")}"`,
    ...(input.user ? [`REDIS_USER="${input.user}"`] : []),
    `REDIS_PASSWORD="${REDIS_EXPORTER_PASSWORD_PLACEHOLDER}"`,
    "",
  ].join("\n");
  return {
    packages: ["prometheus-redis-exporter"],
    requiredEnv: [],
    files: [
      {
        path: "/etc/default/prometheus-redis-exporter",
        content: env,
        mode: "0640",
        owner: "root:prometheus",
        onChange: "systemctl restart prometheus-redis-exporter",
      },
    ],
    body: enableAndStart("prometheus-redis-exporter"),
  };
}

/**
 * A Redis ACL rule (users.acl / `ACL SETUSER` syntax) for the exporter's user: connect, INFO and
 * the read-only introspection it scrapes; no key access. The password is the placeholder.
 */
export function redisExporterAclRule(user = "exporter"): string {
  if (!/^[a-z][a-z0-9_-]*$/.test(user))
    throw new Error(`redis exporter user: "${user}" is not a plain ACL user name`);
  return [
    `user ${user} on >${REDIS_EXPORTER_PASSWORD_PLACEHOLDER} resetkeys resetchannels -@all`,
    "+@connection +info +config|get +slowlog|get +slowlog|len +latency|latest +dbsize +select +memory|stats",
  ].join(" ");
}

export interface HaproxyExporterInput {
  /** Address to bind; default all addresses ("" → `bind :8405`). */
  bindAddress?: string;
  /** Port; default 8405. */
  port?: number;
}

/** HAProxy frontend serving HAProxy's built-in Prometheus exporter at /metrics (for haproxy.cfg). */
export function haproxyPrometheusFrontend(input: HaproxyExporterInput = {}): string {
  const port = input.port ?? HAPROXY_EXPORTER_PORT;
  return [
    "frontend prometheus",
    "    mode http",
    `    bind ${input.bindAddress ?? ""}:${port}`,
    "    http-request use-service prometheus-exporter if { path /metrics }",
    "    http-request deny deny_status 404",
    "    no log",
    "",
  ].join("\n");
}

/** One script installing the given exporters on a guest (run after the guest's own tier script). */
export function renderExporterScript(summary: string, parts: readonly ScriptPart[]): string {
  const packages = [...new Set(parts.flatMap((p) => p.packages))];
  const requiredEnv = [...new Set(parts.flatMap((p) => p.requiredEnv))].sort();
  const files = parts.flatMap((p) => p.files);
  const secrets = [...new Set([...requiredEnv, ...files.flatMap((f) => placeholdersIn(f.content))])].sort();
  return renderScript({
    summary,
    requiredEnv,
    setup: [renderSecretChecks(secrets, "quotable"), aptInstallMissing(packages)].filter(Boolean).join("\n"),
    files,
    body: parts.map((p) => p.body).join("\n"),
  });
}
