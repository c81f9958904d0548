/**
 * Provisioning scripts of the MariaDB tier (run as `pct exec <vmid> -- bash -s` with a stdin prelude):
 * the primary's bootstrap, the replica's bootstrap (its replication step is in mariadb-replication.ts),
 * and the application databases (run on the primary; they replicate). Every script is idempotent.
 * Pure: no Pulumi import.
 */
import { renderScript } from "../proxmox/script";
import { placeholdersIn } from "../proxmox/secret-forms";
import { MARIADB_CONFIG_PATH, MariaDbServerInput, renderMariaDbConfig } from "./mariadb-config";
import { MariaDbDumpJobInput, renderMariaDbDumpActivation, renderMariaDbDumpFiles } from "./mariadb-dump";
import {
  MARIADB_MONITOR_PASSWORD_HASH_ENV,
  MARIADB_REPLICATION_PASSWORD_HASH_ENV,
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
  MariaDbMonitorUserInput,
  MariaDbReplicationUserInput,
  checkAppDatabases,
  renderAppDatabaseSql,
  renderMonitorUserSql,
  renderReplicationUserSql,
  renderSecuringSql,
} from "./mariadb-sql";

export { MARIADB_REPLICATION_STATE_PATH } from "./mariadb-replication";

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

export interface MariaDbReplicaBootstrapInput {
  /** The replica's server settings; `role` must be `replica`. */
  server: MariaDbServerInput;
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
 * Replica bootstrap: install, write the drop-in (read_only), secure the server, start it. Needs no
 * secret and not the primary, so it runs while the primary bootstraps; the replication step
 * (`renderMariaDbReplicationScript`) points it at the primary afterwards.
 */
export function renderMariaDbReplicaBootstrapScript(input: MariaDbReplicaBootstrapInput): string {
  if (input.server.role !== "replica") throw new Error(`server.role: the replica script needs role replica`);
  return renderScript({
    summary: `MariaDB replica (server_id ${input.server.serverId}) on ${input.server.bindAddress}: server`,
    setup: renderMariaDbInstallStep(),
    files: [configFile(input.server)],
    body: [
      renderMariaDbServiceStep(),
      renderSqlStep("Secure the server (local, not replicated).", renderSecuringSql()),
    ].join("\n"),
  });
}

/** Guards against a renderer adding a placeholder the script's required variables do not list. */
function checkEnvCovers(env: readonly string[], sql: string): void {
  const missing = placeholdersIn(sql).filter((name) => !env.includes(name));
  if (missing.length > 0) throw new Error(`SQL uses ${missing.join(", ")} that the script does not require`);
}
