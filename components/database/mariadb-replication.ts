/**
 * The replica's replication step (run as `pct exec <vmid> -- bash -s` with a stdin prelude, after the
 * replica's bootstrap and the primary's, which creates the replication account): CHANGE MASTER with
 * GTID and START SLAVE, then a bounded wait until both replication threads run. Idempotent.
 * Pure: no Pulumi import.
 */
import { renderScript } from "../proxmox/script";
import { placeholdersIn } from "../proxmox/secret-forms";
import { shellQuote } from "../proxmox/shell-quote";
import { MARIADB_DEFAULT_PORT } from "./mariadb-config";
import {
  DEFAULT_REPLICATION_USER,
  MARIADB_REPLICATION_PASSWORD_ENV,
  checkAddress,
  checkUserName,
} from "./mariadb-names";
import { renderMariaDbClientStep, renderSqlStep } from "./mariadb-shell";
import { MariaDbChangeMasterInput, renderChangeMasterSql } from "./mariadb-sql";

/** Where the replica remembers which primary and password it was pointed at (a SHA-256, mode 0600). */
export const MARIADB_REPLICATION_STATE_PATH = "/var/lib/proxmox-sites/mariadb-replication.sha256";

/** Seconds the replication step waits for both replication threads before it fails. */
export const MARIADB_REPLICATION_WAIT_SECONDS = 30;

export interface MariaDbReplicationScriptInput {
  /** The primary the replica replicates from (its replication account must exist already). */
  primary: MariaDbChangeMasterInput;
}

/** Variables the replication step needs in its stdin prelude. */
export function mariadbReplicationScriptEnv(): string[] {
  return [MARIADB_REPLICATION_PASSWORD_ENV];
}

/** The prelude values of the replication step (the password itself: CHANGE MASTER needs it). */
export function mariadbReplicationSecrets(replicationPassword: string): Record<string, string> {
  return { [MARIADB_REPLICATION_PASSWORD_ENV]: replicationPassword };
}

/**
 * Bash (after `mariadb_sql` is defined) that points the replica at the primary with GTID. CHANGE
 * MASTER runs only when the replica is not already set up for that primary, account and password (a
 * SHA-256 fingerprint kept in MARIADB_REPLICATION_STATE_PATH); a configured but stopped replica is
 * started. Fails, showing the replica's last errors, when both threads do not run within 30 s.
 */
export function renderMariaDbReplicationStep(primary: MariaDbChangeMasterInput): string {
  const changeMaster = renderChangeMasterSql(primary);
  const host = checkAddress("primaryHost", primary.primaryHost);
  const port = String(primary.primaryPort ?? MARIADB_DEFAULT_PORT);
  const user = checkUserName("replication user", primary.user ?? DEFAULT_REPLICATION_USER);
  const want = `${shellQuote(host)} ${shellQuote(port)} ${shellQuote(user)}`;
  const running =
    '[ "$(slave_field Slave_IO_Running)" = Yes ] && [ "$(slave_field Slave_SQL_Running)" = Yes ]';
  return [
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
    `for _ in $(seq 1 ${MARIADB_REPLICATION_WAIT_SECONDS}); do`,
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
  ].join("\n");
}

/**
 * The replica's replication step, run on the replica once its bootstrap (server running) and the
 * primary's bootstrap (replication account) are done. Changes nothing on a second run.
 */
export function renderMariaDbReplicationScript(input: MariaDbReplicationScriptInput): string {
  const host = checkAddress("primaryHost", input.primary.primaryHost);
  const port = input.primary.primaryPort ?? MARIADB_DEFAULT_PORT;
  const env = mariadbReplicationScriptEnv();
  const missing = placeholdersIn(renderChangeMasterSql(input.primary)).filter((n) => !env.includes(n));
  if (missing.length > 0) throw new Error(`SQL uses ${missing.join(", ")} that the script does not require`);
  return renderScript({
    summary: `MariaDB replica: GTID replication from ${host}:${port}`,
    requiredEnv: env,
    body: [renderMariaDbClientStep(), renderMariaDbReplicationStep(input.primary)].join("\n"),
  });
}
