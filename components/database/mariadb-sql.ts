/**
 * SQL the MariaDB provisioning scripts run. Every statement is safe to run again. Secrets are
 * `@@NAME@@` placeholders inside string literals, filled by the script from the stdin prelude:
 * account passwords arrive as `mysql_native_password` hashes (see `mariadbPasswordHash`), so the
 * binary log, which records `CREATE USER`/`ALTER USER` as written, never holds a password.
 * Pure: no Pulumi import.
 */
import {
  DEFAULT_MONITOR_USER,
  DEFAULT_REPLICATION_USER,
  MARIADB_MONITOR_PASSWORD_HASH_ENV,
  MARIADB_REPLICATION_PASSWORD_ENV,
  MARIADB_REPLICATION_PASSWORD_HASH_ENV,
  accountSql,
  checkAccountHost,
  checkAddress,
  checkDatabaseName,
  checkPort,
  checkUserName,
  mariadbAppPasswordHashEnv,
} from "./mariadb-names";
import { MARIADB_DEFAULT_PORT } from "./mariadb-config";

/** One application's database and the account it uses. */
export interface MariaDbAppDatabase {
  /** Database name, [a-z0-9_] (e.g. `nextcloud_bowbo`). */
  database: string;
  /** Account name, [a-z0-9_], at most 32 characters; its password hash comes from `mariadbAppPasswordHashEnv(user)`. */
  user: string;
  /** Addresses the application connects from (each Moodle node, the Nextcloud guest, …); at least one. */
  clientHosts: readonly string[];
  /** Collation of a newly created database. Default utf8mb4_unicode_ci. */
  collation?: string;
}

export interface MariaDbReplicationUserInput {
  /** Account name. Default `replication`. */
  user?: string;
  /** Addresses of the replicas (the account exists only for these). */
  replicaHosts: readonly string[];
}

export interface MariaDbMonitorUserInput {
  /** Account name. Default `exporter`. */
  user?: string;
  /** Where mysqld_exporter connects from. Default `localhost` (the exporter runs on the database guest). */
  hosts?: readonly string[];
  /** Connections the account may hold at once. Default 3. */
  maxConnections?: number;
}

export interface MariaDbChangeMasterInput {
  /** The primary's address. */
  primaryHost: string;
  /** The primary's port. Default 3306. */
  primaryPort?: number;
  /** Replication account on the primary. Default `replication`. */
  user?: string;
}

function placeholder(env: string): string {
  return `@@${env}@@`;
}

function hosts(what: string, list: readonly string[]): string[] {
  if (list.length === 0) throw new Error(`${what}: needs at least one address`);
  const checked = list.map((h) => checkAccountHost(what, h));
  return [...new Set(checked)];
}

/** CREATE USER IF NOT EXISTS, then ALTER USER so that a rotated password takes effect. */
function accountStatements(user: string, host: string, hashEnv: string, limits = ""): string[] {
  const account = accountSql(user, host);
  const auth = `IDENTIFIED BY PASSWORD '${placeholder(hashEnv)}'${limits}`;
  return [`CREATE USER IF NOT EXISTS ${account} ${auth};`, `ALTER USER ${account} ${auth};`];
}

/**
 * Removes what a fresh install leaves open: anonymous accounts, root from anywhere but this guest,
 * the `test` database. Runs with the binary log off: each server is secured on its own, and a
 * replicated `DROP USER` of an account the replica never had would stop replication.
 */
export function renderSecuringSql(): string {
  const dropAccounts = (what: string, where: string) => [
    `-- ${what}`,
    `SET @proxmox_sites_accounts = (SELECT GROUP_CONCAT(CONCAT(QUOTE(User), '@', QUOTE(Host))) FROM mysql.global_priv WHERE ${where});`,
    `SET @proxmox_sites_stmt = IF(@proxmox_sites_accounts IS NULL, 'DO 0', CONCAT('DROP USER ', @proxmox_sites_accounts));`,
    `PREPARE proxmox_sites_stmt FROM @proxmox_sites_stmt;`,
    `EXECUTE proxmox_sites_stmt;`,
    `DEALLOCATE PREPARE proxmox_sites_stmt;`,
  ];
  return [
    "-- Local to this server: not written to the binary log.",
    "SET SESSION sql_log_bin = 0;",
    ...dropAccounts("Anonymous accounts.", "User = ''"),
    ...dropAccounts(
      "root from anywhere but this guest.",
      "User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1')",
    ),
    "-- PROXY grants an install gives root@<hostname>.",
    "DELETE FROM mysql.proxies_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1');",
    "-- The test database and the grants that open it to everyone.",
    "DROP DATABASE IF EXISTS test;",
    "DELETE FROM mysql.db WHERE Db = 'test' OR Db = 'test\\\\_%';",
    "FLUSH PRIVILEGES;",
    "SET SESSION sql_log_bin = 1;",
    "",
  ].join("\n");
}

/** The account replicas connect with: REPLICATION SLAVE, and only from the replicas' addresses. */
export function renderReplicationUserSql(input: MariaDbReplicationUserInput): string {
  const user = checkUserName("replication user", input.user ?? DEFAULT_REPLICATION_USER);
  const lines = ["-- Replication account, one per replica address."];
  for (const host of hosts("replicaHosts", input.replicaHosts)) {
    lines.push(
      ...accountStatements(user, host, MARIADB_REPLICATION_PASSWORD_HASH_ENV),
      `GRANT REPLICATION SLAVE ON *.* TO ${accountSql(user, host)};`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The account mysqld_exporter uses: PROCESS, REPLICATION CLIENT, SLAVE MONITOR (SHOW SLAVE STATUS
 * on the replica) and SELECT, with a small connection limit. It replicates, so the same account
 * works on the replica.
 */
export function renderMonitorUserSql(input: MariaDbMonitorUserInput = {}): string {
  const user = checkUserName("monitor user", input.user ?? DEFAULT_MONITOR_USER);
  const max = input.maxConnections ?? 3;
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw new Error(`monitor maxConnections: ${max} must be a whole number from 1 to 100`);
  }
  const lines = ["-- Monitoring account for mysqld_exporter."];
  for (const host of hosts("monitor hosts", input.hosts ?? ["localhost"])) {
    lines.push(
      ...accountStatements(
        user,
        host,
        MARIADB_MONITOR_PASSWORD_HASH_ENV,
        ` WITH MAX_USER_CONNECTIONS ${max}`,
      ),
      `GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO ${accountSql(user, host)};`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A database name as a grant pattern: `_` is a wildcard there, so it is escaped. */
function grantPattern(database: string): string {
  return `\`${database.replace(/_/g, "\\_")}\`.*`;
}

/**
 * One application's database and its account: ALL PRIVILEGES on that database only, and only from
 * the application's addresses.
 */
export function renderAppDatabaseSql(app: MariaDbAppDatabase): string {
  const database = checkDatabaseName("application database", app.database);
  const user = checkUserName("application user", app.user);
  const collation = app.collation ?? "utf8mb4_unicode_ci";
  if (!/^utf8mb4_[a-z0-9_]+$/.test(collation)) {
    throw new Error(`collation of ${database}: "${collation}" must be a utf8mb4 collation`);
  }
  const lines = [
    `-- Application database ${database}, account ${user}.`,
    `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE ${collation};`,
  ];
  for (const host of hosts(`clientHosts of ${database}`, app.clientHosts)) {
    lines.push(
      ...accountStatements(user, host, mariadbAppPasswordHashEnv(user)),
      `GRANT ALL PRIVILEGES ON ${grantPattern(database)} TO ${accountSql(user, host)};`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Checks a list of applications: names valid, no database or user claimed twice. */
export function checkAppDatabases(apps: readonly MariaDbAppDatabase[]): void {
  const databases = new Set<string>();
  const users = new Set<string>();
  for (const app of apps) {
    checkDatabaseName("application database", app.database);
    checkUserName("application user", app.user);
    if (databases.has(app.database)) throw new Error(`application database ${app.database} is listed twice`);
    if (users.has(app.user)) throw new Error(`application user ${app.user} is listed twice`);
    databases.add(app.database);
    users.add(app.user);
  }
}

/**
 * Points a replica at the primary with GTID (slave_pos) and starts it. The password is the
 * `MARIADB_REPLICATION_PASSWORD` placeholder, filled and SQL-escaped by the replica script, which
 * runs this only when the replica is not already replicating from that primary with that password.
 */
export function renderChangeMasterSql(input: MariaDbChangeMasterInput): string {
  const host = checkAddress("primaryHost", input.primaryHost);
  const port = checkPort("primaryPort", input.primaryPort ?? MARIADB_DEFAULT_PORT);
  const user = checkUserName("replication user", input.user ?? DEFAULT_REPLICATION_USER);
  return [
    "STOP SLAVE;",
    "CHANGE MASTER TO",
    `  MASTER_HOST = '${host}',`,
    `  MASTER_PORT = ${port},`,
    `  MASTER_USER = '${user}',`,
    `  MASTER_PASSWORD = '${placeholder(MARIADB_REPLICATION_PASSWORD_ENV)}',`,
    "  MASTER_USE_GTID = slave_pos,",
    "  MASTER_CONNECT_RETRY = 10;",
    "START SLAVE;",
    "",
  ].join("\n");
}
