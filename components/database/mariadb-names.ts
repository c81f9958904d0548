/**
 * Names, addresses and secrets of the MariaDB tier: identifier and host validation, the names of the
 * environment variables the provisioning scripts read, and the password hash those variables carry.
 * Pure: no Pulumi import.
 */
import ipaddr from "ipaddr.js";
import { createHash } from "node:crypto";
import { MARIADB_DATABASE_NAME_MAX, MARIADB_USER_NAME_MAX, SAFE_IDENTIFIER } from "../../config/identifiers";

/** Schemas the server owns; an application database may not take these names. */
const RESERVED_DATABASES = new Set(["mysql", "information_schema", "performance_schema", "sys", "test"]);
/** Accounts the server or this tier owns; an application user may not take these names. */
const RESERVED_USERS = new Set(["root", "mysql", "debian_sys_maint", "public", "none"]);

/** Default name of the account the replica connects with. */
export const DEFAULT_REPLICATION_USER = "replication";
/** Default name of the account mysqld_exporter connects with. */
export const DEFAULT_MONITOR_USER = "exporter";

/** Environment variable (stdin prelude) with the hash of the replication password; read on the primary. */
export const MARIADB_REPLICATION_PASSWORD_HASH_ENV = "MARIADB_REPLICATION_PASSWORD_HASH";
/** Environment variable with the replication password itself; read on the replica (CHANGE MASTER). */
export const MARIADB_REPLICATION_PASSWORD_ENV = "MARIADB_REPLICATION_PASSWORD";
/** Environment variable with the hash of the monitoring user's password; read on the primary. */
export const MARIADB_MONITOR_PASSWORD_HASH_ENV = "MARIADB_MONITOR_PASSWORD_HASH";

/**
 * Checks a database or user name: lower-case letters, digits and underscores only, so it never needs
 * quoting and is the same on every filesystem. Throws an error naming `what`.
 */
export function checkIdentifier(what: string, name: string, maxLength: number): string {
  if (!SAFE_IDENTIFIER.test(name) || name.length > maxLength || /^[0-9]+$/.test(name)) {
    throw new Error(
      `${what}: "${name}" must be 1 to ${maxLength} characters of a-z, 0-9 and _ (not only digits)`,
    );
  }
  return name;
}

/** Validates an application database name (at most 64 characters, not a system schema). */
export function checkDatabaseName(what: string, name: string): string {
  checkIdentifier(what, name, MARIADB_DATABASE_NAME_MAX);
  if (RESERVED_DATABASES.has(name)) throw new Error(`${what}: "${name}" is a reserved database name`);
  return name;
}

/** Validates an account name (at most 32 characters, so every client and tool accepts it). */
export function checkUserName(what: string, name: string): string {
  checkIdentifier(what, name, MARIADB_USER_NAME_MAX);
  if (RESERVED_USERS.has(name)) throw new Error(`${what}: "${name}" is a reserved account name`);
  return name;
}

/**
 * Validates the host part of an account: an IPv4 address in dotted-quad form, an IPv6 address, or
 * `localhost` (a client on the same guest, over the Unix socket). Grants are by address because the
 * server runs with skip-name-resolve.
 */
export function checkAccountHost(what: string, host: string): string {
  if (host === "localhost") return host;
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return host;
  if (ipaddr.IPv6.isValid(host)) return ipaddr.IPv6.parse(host).toString();
  throw new Error(`${what}: "${host}" must be an IPv4 or IPv6 address, or localhost`);
}

/** Validates an address a server binds to or a replica connects to (no `localhost`). */
export function checkAddress(what: string, address: string): string {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return address;
  if (ipaddr.IPv6.isValid(address)) return ipaddr.IPv6.parse(address).toString();
  throw new Error(`${what}: "${address}" must be an IPv4 or IPv6 address`);
}

/** Validates a TCP port. */
export function checkPort(what: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${what}: ${port} must be a whole number from 1 to 65535`);
  }
  return port;
}

/**
 * Environment variable that carries the password hash of an application user on the primary:
 * `MARIADB_APP_<USER>_PASSWORD_HASH` (user name upper-cased), e.g. `MARIADB_APP_NEXTCLOUD_PASSWORD_HASH`.
 */
export function mariadbAppPasswordHashEnv(user: string): string {
  return `MARIADB_APP_${checkUserName("application user", user).toUpperCase()}_PASSWORD_HASH`;
}

/**
 * The `mysql_native_password` hash of a password, as `PASSWORD()` computes it: `*` and the upper-case
 * hex of SHA1(SHA1(password)). The provisioning scripts receive this, never the password, so that
 * neither the script input nor the binary log (which records `CREATE USER`/`ALTER USER` as written)
 * holds the password itself.
 */
export function mariadbPasswordHash(password: string): string {
  const inner = createHash("sha1").update(password, "utf8").digest();
  return `*${createHash("sha1").update(inner).digest("hex").toUpperCase()}`;
}

/** `'user'@'host'` for SQL; both parts are validated, so no escaping is needed. */
export function accountSql(user: string, host: string): string {
  return `'${user}'@'${host}'`;
}
