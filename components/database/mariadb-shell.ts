/**
 * Bash fragments shared by the MariaDB provisioning scripts: install when missing, service control,
 * the SQL client, and running rendered SQL with its secrets filled in. Pure: no Pulumi import.
 *
 * SQL goes through `MARIADB_CLIENT` (default `mariadb`: root over the Unix socket inside the guest),
 * word-split, so a test can point it at its own server: `MARIADB_CLIENT="mariadb --socket=/tmp/x.sock"`.
 */
import { renderAptInstallUnless } from "../proxmox/apt";
import { placeholdersIn, renderSecretFill } from "../proxmox/secret-forms";

const SQL_DELIMITER = "PROXMOX_SITES_SQL";

/** Installs mariadb-server and the client when the package is missing. */
export function renderMariaDbInstallStep(): string {
  return [
    "# MariaDB from the distribution, only when missing.",
    renderAptInstallUnless("mariadb-server", ["mariadb-server", "mariadb-client"]),
    "mariadb_restart=0",
  ].join("\n");
}

/**
 * Checks every `*_HASH` variable is a `mysql_native_password` hash before anything changes, so a
 * password passed by mistake never reaches SQL or the binary log.
 */
export function renderHashChecks(envNames: readonly string[]): string {
  const hashes = envNames.filter((name) => name.endsWith("_HASH"));
  if (hashes.length === 0) return "";
  return [
    "native_hash='^\\*[0-9A-F]{40}$'",
    ...hashes.map(
      (name) =>
        `[[ $${name} =~ $native_hash ]] || { echo "${name} must be a mysql_native_password hash (*<40 hex>)" >&2; exit 1; }`,
    ),
  ].join("\n");
}

/** Enables MariaDB, restarts it when its configuration changed, and waits (at most 60 s) until it answers. */
export function renderMariaDbServiceStep(): string {
  return [
    "systemctl is-enabled --quiet mariadb || systemctl enable --quiet mariadb",
    'if [ "$mariadb_restart" = 1 ]; then',
    "  systemctl restart mariadb",
    "elif ! systemctl is-active --quiet mariadb; then",
    "  systemctl start mariadb",
    "fi",
    renderMariaDbClientStep(),
  ].join("\n");
}

/** Defines `mariadb_sql` from MARIADB_CLIENT and waits (at most 60 s) until the server answers. */
export function renderMariaDbClientStep(): string {
  return [
    'read -r -a mariadb_client <<<"${MARIADB_CLIENT:-mariadb}"',
    'mariadb_sql() { "${mariadb_client[@]}" "$@"; }',
    "for _ in $(seq 1 60); do",
    "  if mariadb_sql -e 'SELECT 1' >/dev/null 2>&1; then break; fi",
    "  sleep 1",
    "done",
    "mariadb_sql -e 'SELECT 1' >/dev/null",
  ].join("\n");
}

/**
 * Runs SQL through `mariadb_sql`, the client stopping at the first error. Each `@@NAME@@` is replaced
 * by the exported variable NAME: `*_HASH` variables verbatim (checked by `renderHashChecks`), any
 * other variable escaped for a single-quoted SQL string. The text travels on stdin, never in argv.
 */
export function renderSqlStep(title: string, sql: string): string {
  if (sql.split("\n").includes(SQL_DELIMITER)) throw new Error(`SQL of "${title}" contains ${SQL_DELIMITER}`);
  const fills = placeholdersIn(sql).map((name) =>
    renderSecretFill("sql_text", `@@${name}@@`, name, name.endsWith("_HASH") ? "raw" : "sql"),
  );
  return [
    `# ${title}`,
    `sql_text=$(cat <<'${SQL_DELIMITER}'`,
    sql.trimEnd(),
    SQL_DELIMITER,
    ")",
    ...fills,
    `printf '%s\\n' "$sql_text" | mariadb_sql --batch`,
  ].join("\n");
}
