/**
 * Provisioning scripts of the MariaDB tier (run as `pct exec <vmid> -- bash -s` with a stdin prelude):
 * the primary's bootstrap, the replica's bootstrap, and the application databases (run on the primary;
 * they replicate). Every script is idempotent. Pure: no Pulumi import.
 */
import { placeholdersIn, renderScript, shellQuote } from "../proxmox/script";
import {
  MARIADB_CONFIG_PATH,
  MARIADB_DEFAULT_PORT,
  MariaDbServerInput,
  renderMariaDbConfig,
} from "./mariadb-config";
import { MariaDbDumpJobInput, renderMariaDbDumpActivation, renderMariaDbDumpFiles } from "./mariadb-dump";
import {
  DEFAULT_REPLICATION_USER,
  MARIADB_MONITOR_PASSWORD_HASH_ENV,
  MARIADB_REPLICATION_PASSWORD_ENV,
  MARIADB_REPLICATION_PASSWORD_HASH_ENV,
  checkAddress,
  checkUserName,
  mariadbAppPasswordHashEnv,
  mariadbPasswordHash,
} from "./mariadb-names";
import {
  renderHashChecks,
  renderMariaDbClientStep,
  renderMariaDbInstallStep,
  renderMariaDbServiceStep,
  renderSqlStep,
} from "./mariadb-shell";
import {
  MariaDbAppDatabase,
  MariaDbChangeMasterInput,
  MariaDbMonitorUserInput,
  MariaDbReplicationUserInput,
  checkAppDatabases,
  renderAppDatabaseSql,
  renderChangeMasterSql,
  renderMonitorUserSql,
  renderReplicationUserSql,
  renderSecuringSql,
} from "./mariadb-sql";

/** Where the replica remembers which primary and password it was pointed at (a SHA-256, mode 0600). */
export const MARIADB_REPLICATION_STATE_PATH = "/var/lib/proxmox-sites/mariadb-replication.sha256";

export interface MariaDbPrimaryScriptInput {
  /** The primary's server settings; `role` must be `primary`. */
  server: MariaDbServerInput;
  /** The replication account; omit (or give no replica hosts) when the site has no replica. */
  replication?: MariaDbReplicationUserInput;
  /** The mysqld_exporter account. Default: `exporter`@`localhost`. */
  monitor?: MariaDbMonitorUserInput;
  /** The dump job. Default: every 6 hours, kept 14 days, in /var/backups/mariadb. */
  dump?: MariaDbDumpJobInput;
}

export interface MariaDbReplicaScriptInput {
  /** The replica's server settings; `role` must be `replica`. */
  server: MariaDbServerInput;
  /** The primary it replicates from. */
  primary: MariaDbChangeMasterInput;
}

export interface MariaDbAppsScriptInput {
  /** Application databases and accounts to create on the primary (they replicate). */
  apps: readonly MariaDbAppDatabase[];
}

function hasReplication(input: MariaDbPrimaryScriptInput): boolean {
  return (input.replication?.replicaHosts.length ?? 0) > 0;
}

function configFile(server: MariaDbServerInput) {
  return { path: MARIADB_CONFIG_PATH, content: renderMariaDbConfig(server), onChange: "mariadb_restart=1" };
}

/** Variables the primary's bootstrap needs in its stdin prelude. */
export function mariadbPrimaryScriptEnv(input: MariaDbPrimaryScriptInput): string[] {
  const names = [MARIADB_MONITOR_PASSWORD_HASH_ENV];
  if (hasReplication(input)) names.push(MARIADB_REPLICATION_PASSWORD_HASH_ENV);
  return names.sort();
}

/** Variables the replica's bootstrap needs in its stdin prelude. */
export function mariadbReplicaScriptEnv(): string[] {
  return [MARIADB_REPLICATION_PASSWORD_ENV];
}

/** Variables the application-databases script needs in its stdin prelude. */
export function mariadbAppsScriptEnv(input: MariaDbAppsScriptInput): string[] {
  return input.apps.map((app) => mariadbAppPasswordHashEnv(app.user)).sort();
}

/** The prelude values of the primary's bootstrap, from the passwords (call inside an `apply`). */
export function mariadbPrimarySecrets(passwords: {
  monitor: string;
  replication?: string;
}): Record<string, string> {
  const env: Record<string, string> = {
    [MARIADB_MONITOR_PASSWORD_HASH_ENV]: mariadbPasswordHash(passwords.monitor),
  };
  if (passwords.replication !== undefined) {
    env[MARIADB_REPLICATION_PASSWORD_HASH_ENV] = mariadbPasswordHash(passwords.replication);
  }
  return env;
}

/** The prelude values of the replica's bootstrap (the password itself: CHANGE MASTER needs it). */
export function mariadbReplicaSecrets(replicationPassword: string): Record<string, string> {
  return { [MARIADB_REPLICATION_PASSWORD_ENV]: replicationPassword };
}

/** The prelude values of the application-databases script, from each account's password by user name. */
export function mariadbAppsSecrets(
  passwordsByUser: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(passwordsByUser).map(([user, pw]) => [
      mariadbAppPasswordHashEnv(user),
      mariadbPasswordHash(pw),
    ]),
  );
}

/**
 * Primary bootstrap: install, write the server drop-in (restart only when it changed), secure the
 * server, create the replication and monitoring accounts, install the dump job and its timer.
 */
export function renderMariaDbPrimaryScript(input: MariaDbPrimaryScriptInput): string {
  if (input.server.role !== "primary") throw new Error(`server.role: the primary script needs role primary`);
  const sql = [renderMonitorUserSql(input.monitor ?? {})];
  if (hasReplication(input)) sql.unshift(renderReplicationUserSql(input.replication!));
  const env = mariadbPrimaryScriptEnv(input);
  checkEnvCovers(env, sql.join("\n"));
  return renderScript({
    summary: `MariaDB primary (server_id ${input.server.serverId}) on ${input.server.bindAddress}: server, accounts, dump job`,
    requiredEnv: env,
    setup: [renderHashChecks(env), renderMariaDbInstallStep(), "mariadb_units_changed=0"].join("\n"),
    files: [configFile(input.server), ...renderMariaDbDumpFiles(input.dump ?? {})],
    body: [
      renderMariaDbServiceStep(),
      renderSqlStep("Secure the server (local, not replicated).", renderSecuringSql()),
      renderSqlStep("Replication and monitoring accounts (replicated).", sql.join("\n")),
      renderMariaDbDumpActivation(),
    ].join("\n"),
  });
}

/** Application databases and accounts, run on the primary after its bootstrap. */
export function renderMariaDbAppsScript(input: MariaDbAppsScriptInput): string {
  checkAppDatabases(input.apps);
  const env = mariadbAppsScriptEnv(input);
  const sql = input.apps.map(renderAppDatabaseSql).join("\n");
  checkEnvCovers(env, sql);
  return renderScript({
    summary: `MariaDB application databases: ${input.apps.map((a) => a.database).join(", ") || "none"}`,
    requiredEnv: env,
    setup: renderHashChecks(env),
    body: [
      renderMariaDbClientStep(),
      input.apps.length > 0 ? renderSqlStep("Application databases and accounts.", sql) : "",
    ]
      .filter(Boolean)
      .join("\n"),
  });
}

/**
 * Replica bootstrap: install, write the drop-in (read_only), secure the server, then point it at the
 * primary with GTID. CHANGE MASTER runs only when the replica is not already set up for that primary,
 * account and password (a SHA-256 fingerprint kept in MARIADB_REPLICATION_STATE_PATH); a configured
 * but stopped replica is started. The script fails, showing the replica's last error, when both
 * replication threads are not running within 30 s.
 */
export function renderMariaDbReplicaScript(input: MariaDbReplicaScriptInput): string {
  if (input.server.role !== "replica") throw new Error(`server.role: the replica script needs role replica`);
  const changeMaster = renderChangeMasterSql(input.primary);
  const host = checkAddress("primaryHost", input.primary.primaryHost);
  const port = String(input.primary.primaryPort ?? MARIADB_DEFAULT_PORT);
  const user = checkUserName("replication user", input.primary.user ?? DEFAULT_REPLICATION_USER);
  const env = mariadbReplicaScriptEnv();
  checkEnvCovers(env, changeMaster);
  const want = `${shellQuote(host)} ${shellQuote(port)} ${shellQuote(user)}`;
  const running =
    '[ "$(slave_field Slave_IO_Running)" = Yes ] && [ "$(slave_field Slave_SQL_Running)" = Yes ]';
  return renderScript({
    summary: `MariaDB replica (server_id ${input.server.serverId}) on ${input.server.bindAddress} of ${host}:${port}`,
    requiredEnv: env,
    setup: renderMariaDbInstallStep(),
    files: [configFile(input.server)],
    body: [
      renderMariaDbServiceStep(),
      renderSqlStep("Secure the server (local, not replicated).", renderSecuringSql()),
      "# Replication: CHANGE MASTER only when not already set up for this primary, account and password.",
      `replication_state="\${PROVISION_ROOT:-}"${shellQuote(MARIADB_REPLICATION_STATE_PATH)}`,
      `replication_want=$(printf '%s\\n' ${want} "$${MARIADB_REPLICATION_PASSWORD_ENV}" | sha256sum | cut -d' ' -f1)`,
      "slave_status=$(mariadb_sql -e 'SHOW SLAVE STATUS\\G')",
      `slave_field() { printf '%s\\n' "$slave_status" | sed -n "s/^ *$1: //p" | head -n 1; }`,
      `if [ "$(slave_field Master_Host)" = ${shellQuote(host)} ] && [ "$(slave_field Master_Port)" = ${shellQuote(port)} ] \\`,
      `  && [ "$(slave_field Master_User)" = ${shellQuote(user)} ] && [ "$(slave_field Using_Gtid)" = Slave_Pos ] \\`,
      '  && [ -f "$replication_state" ] && [ "$(cat "$replication_state")" = "$replication_want" ]; then',
      `  if ${running}; then`,
      `    echo "replication from ${host}:${port} already running"`,
      "  else",
      `    echo "replication from ${host}:${port} is set up but stopped: starting it"`,
      "    mariadb_sql -e 'START SLAVE'",
      "  fi",
      "else",
      renderSqlStep(`Point this replica at ${host}:${port}.`, changeMaster),
      '  mkdir -p "$(dirname "$replication_state")"',
      '  (umask 077 && printf \'%s\\n\' "$replication_want" >"$replication_state")',
      `  echo "replication from ${host}:${port} set up"`,
      "fi",
      "for _ in $(seq 1 30); do",
      "  slave_status=$(mariadb_sql -e 'SHOW SLAVE STATUS\\G')",
      `  if ${running}; then break; fi`,
      "  sleep 1",
      "done",
      `if ! { ${running}; }; then`,
      '  echo "replication is not running: IO=$(slave_field Slave_IO_Running) SQL=$(slave_field Slave_SQL_Running)" >&2',
      '  echo "last IO error: $(slave_field Last_IO_Error)" >&2',
      '  echo "last SQL error: $(slave_field Last_SQL_Error)" >&2',
      "  exit 1",
      "fi",
    ].join("\n"),
  });
}

/** Guards against a renderer adding a placeholder the script's required variables do not list. */
function checkEnvCovers(env: readonly string[], sql: string): void {
  const missing = placeholdersIn(sql).filter((name) => !env.includes(name));
  if (missing.length > 0) throw new Error(`SQL uses ${missing.join(", ")} that the script does not require`);
}
