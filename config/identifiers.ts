/**
 * Stack values that become MariaDB and Redis identifiers (database, user and ACL names) and the names
 * of environment variables in provisioning scripts. The rules are checked on the stack key, and the
 * database tier's renderers check the same constants. Pure: no Pulumi import.
 */

/** MariaDB's limit for a database name. */
export const MARIADB_DATABASE_NAME_MAX = 64;
/**
 * Our limit for a MariaDB user name. Debian 12's MariaDB 10.11 takes 128 characters (measured in
 * test/live/mariadb-identifiers.test.ts); 32 is MySQL's and older clients' limit, so every client
 * and tool accepts the name.
 */
export const MARIADB_USER_NAME_MAX = 32;
/** Lower-case letters, digits and underscores: never quoted, the same on every filesystem. */
export const SAFE_IDENTIFIER = /^[a-z0-9_]+$/;

/** Nextcloud instance `<key>` gets the database and user `nextcloud_<key>` (and a Redis user of that name). */
export const NEXTCLOUD_ACCOUNT_PREFIX = "nextcloud_";
/** Longest instance key whose account name stays within MARIADB_USER_NAME_MAX. */
export const NEXTCLOUD_KEY_MAX = MARIADB_USER_NAME_MAX - NEXTCLOUD_ACCOUNT_PREFIX.length;

/** The database and user name of a Nextcloud instance. */
export function nextcloudAccountName(instance: string): string {
  return `${NEXTCLOUD_ACCOUNT_PREFIX}${instance}`;
}
