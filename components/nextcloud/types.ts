/** Inputs of the Nextcloud renderers (one Nextcloud instance per guest). Pure: no Pulumi import. */
import { isIanaTimeZone } from "../../config/time-zone";

/** The central MariaDB database of one instance. The password reaches the script as `NEXTCLOUD_DB_PASSWORD`. */
export interface NextcloudDatabase {
  /** Address of the MariaDB server (the primary), e.g. `192.168.0.10`. */
  host: string;
  /** TCP port, usually 3306. */
  port: number;
  /** Database name; different for every instance (`nextcloud_bowbo`). The database tier creates it. */
  name: string;
  /** Database user with all privileges on `name`. */
  user: string;
}

/** The shared Redis of one instance. The password reaches the script as `NEXTCLOUD_REDIS_PASSWORD`. */
export interface NextcloudRedis {
  /** Redis server address, e.g. `192.168.0.12`. */
  host: string;
  /** TCP port, usually 6379. */
  port: number;
  /** ACL user name; absent means the `default` user (`requirepass`). */
  user?: string;
  /** Logical database 0–15; different for every instance sharing the server. */
  dbIndex: number;
  /**
   * Prefix of every cache and lock key (`memcache_customprefix`), different for every instance sharing the
   * server, e.g. `nextcloud-bowbo:`; an ACL user can then be limited to `~nextcloud-bowbo:*`.
   */
  keyPrefix: string;
}

/** Everything one Nextcloud instance needs. Secrets are not here: see `NEXTCLOUD_SECRET_ENV`. */
export interface NextcloudInput {
  /** Stack-config key of the instance, e.g. `bowbo`; used in file and unit names. */
  instance: string;
  /** Public host name served through the tunnel, e.g. `cloud.bowbo.co.id`. */
  hostname: string;
  /** The guest's LAN address, e.g. `192.168.0.40`; accepted as a trusted domain for LAN checks. */
  guestIp: string;
  /** Data directory on the ZFS-backed mount point, e.g. `/mnt/ncdata`; owned by www-data, mode 0750. */
  dataDirectory: string;
  database: NextcloudDatabase;
  redis: NextcloudRedis;
  /** Addresses (or CIDRs) of the reverse proxies in front: the cloudflared guest(s). */
  trustedProxies: readonly string[];
  /** Login of the first administrator, created at install time only. */
  adminUser: string;
  /** IANA time zone for log time stamps and PHP, e.g. `Asia/Jakarta`. */
  timezone: string;
  /** PHP `memory_limit` in MiB for the web server and the CLI (occ, cron); Nextcloud recommends 512. */
  phpMemoryMb: number;
  /** Largest single upload in MiB (PHP upload_max_filesize/post_max_size). Default 16384. */
  uploadMaxMb?: number;
  /** ISO 3166-1 region for phone numbers without a country code. Default `ID`. */
  defaultPhoneRegion?: string;
  /**
   * Start hour (UTC, 0–23) of the 4-hour window for heavy background jobs. Default 20 (03:00–07:00 WIB, after
   * the 02:00 WIB vzdump snapshot has started).
   */
  maintenanceWindowStartUtcHour?: number;
  /** Where the TurnKey template installed Nextcloud. Default `/var/www/nextcloud`. */
  installDirectory?: string;
  /** PHP version of the guest (Debian 12: `8.2`), used in /etc/php/<version>/ paths. Default `8.2`. */
  phpVersion?: string;
  /** Port of the plain-HTTP virtual host the tunnel reaches. Default 80. */
  httpPort?: number;
}

/** Names of the variables the stdin prelude must export for the Nextcloud script. */
export const NEXTCLOUD_SECRET_ENV = [
  "NEXTCLOUD_ADMIN_PASSWORD",
  "NEXTCLOUD_DB_PASSWORD",
  "NEXTCLOUD_REDIS_PASSWORD",
] as const;

/** Defaults applied to the optional fields. */
export const NEXTCLOUD_DEFAULTS = {
  uploadMaxMb: 16384,
  defaultPhoneRegion: "ID",
  maintenanceWindowStartUtcHour: 20,
  installDirectory: "/var/www/nextcloud",
  phpVersion: "8.2",
  httpPort: 80,
} as const;

/** The input with every default filled in. */
export type ResolvedNextcloudInput = NextcloudInput & Required<Omit<NextcloudInput, "redis">>;

/** Fills in defaults and rejects values that would render a broken file, naming the field. */
export function resolveNextcloudInput(input: NextcloudInput): ResolvedNextcloudInput {
  const resolved = { ...NEXTCLOUD_DEFAULTS, ...stripUndefined(input) } as ResolvedNextcloudInput;
  const where = `nextcloud.${input.instance}`;
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]*$/.test(resolved.instance))
    problems.push(`instance: ${resolved.instance} is not a lower-case key`);
  if (!/^[A-Za-z0-9.-]+$/.test(resolved.hostname))
    problems.push(`hostname: ${resolved.hostname} is not a host name`);
  for (const [field, path] of [
    ["dataDirectory", resolved.dataDirectory],
    ["installDirectory", resolved.installDirectory],
  ] as const) {
    if (!/^\/[A-Za-z0-9._/-]*$/.test(path) || path.includes(".."))
      problems.push(`${field}: ${path} is not a plain absolute path`);
  }
  if (!/^[A-Za-z0-9._@-]+$/.test(resolved.adminUser))
    problems.push(`adminUser: ${resolved.adminUser} has characters Nextcloud refuses`);
  if (!isIanaTimeZone(resolved.timezone)) problems.push(`timezone: ${resolved.timezone} is not an IANA zone`);
  if (!/^\d+\.\d+$/.test(resolved.phpVersion))
    problems.push(`phpVersion: ${resolved.phpVersion} is not like 8.2`);
  if (!/^[A-Z]{2}$/.test(resolved.defaultPhoneRegion))
    problems.push(`defaultPhoneRegion: ${resolved.defaultPhoneRegion} is not a 2-letter region`);
  const hour = resolved.maintenanceWindowStartUtcHour;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23)
    problems.push(`maintenanceWindowStartUtcHour: ${hour} is not 0–23`);
  if (!Number.isInteger(resolved.redis.dbIndex) || resolved.redis.dbIndex < 0 || resolved.redis.dbIndex > 15)
    problems.push(`redis.dbIndex: ${resolved.redis.dbIndex} is not 0–15`);
  if (!/^[A-Za-z0-9_.:-]+$/.test(resolved.redis.keyPrefix))
    problems.push(`redis.keyPrefix: ${resolved.redis.keyPrefix} is empty or has odd characters`);
  for (const [field, port] of [
    ["database.port", resolved.database.port],
    ["redis.port", resolved.redis.port],
    ["httpPort", resolved.httpPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      problems.push(`${field}: ${port} is not a TCP port`);
  }
  for (const [field, mb] of [
    ["phpMemoryMb", resolved.phpMemoryMb],
    ["uploadMaxMb", resolved.uploadMaxMb],
  ] as const) {
    if (!Number.isInteger(mb) || mb < 64) problems.push(`${field}: ${mb} is not a whole number of MiB ≥ 64`);
  }
  for (const name of [resolved.database.name, resolved.database.user]) {
    if (!/^[A-Za-z0-9_]+$/.test(name)) problems.push(`database: ${name} is not a plain MariaDB identifier`);
  }
  if (resolved.trustedProxies.length === 0)
    problems.push("trustedProxies: at least the cloudflared guest is needed");
  if (problems.length > 0) throw new Error(problems.map((p) => `${where}.${p}`).join("\n"));
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
