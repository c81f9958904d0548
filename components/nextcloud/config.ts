/**
 * Nextcloud's settings as an additional config file, `config/proxmox-sites.config.php`. Nextcloud loads every
 * `*.config.php` beside `config.php` and its values win over `config.php`'s, so this one file, written only when
 * it changes, is the whole declared state: `occ config:system:set` calls would scatter it over many commands
 * that cannot be proven without a running Nextcloud. (Nextcloud copies the merged values into config.php on its
 * next write, nextcloud/server#37049; harmless, this file still wins.) Pure: no Pulumi import.
 */
import { PhpMap, phpSecret, phpValue } from "../proxmox/php-value";
import { NextcloudInput, resolveNextcloudInput } from "./types";

/** Where the settings file lives, relative to the install directory. */
export const NEXTCLOUD_CONFIG_FILE = "config/proxmox-sites.config.php";

/** The settings as a PHP map (secrets as placeholders), for tests and for the config file. */
export function nextcloudSettings(input: NextcloudInput): PhpMap {
  const nc = resolveNextcloudInput(input);
  const redis: PhpMap = {
    host: nc.redis.host,
    port: nc.redis.port,
    ...(nc.redis.user ? { user: nc.redis.user } : {}),
    password: phpSecret("NEXTCLOUD_REDIS_PASSWORD"),
    dbindex: nc.redis.dbIndex,
    timeout: 1.5,
    read_timeout: 1.5,
  };
  return {
    trusted_domains: [nc.hostname, nc.guestIp],
    "overwrite.cli.url": `https://${nc.hostname}`,
    overwriteprotocol: "https",
    overwritehost: nc.hostname,
    trusted_proxies: [...nc.trustedProxies],
    // Cloudflare sets CF-Connecting-IP to the visitor's address; X-Forwarded-For is the fallback.
    forwarded_for_headers: ["HTTP_CF_CONNECTING_IP", "HTTP_X_FORWARDED_FOR"],
    "memcache.local": "\\OC\\Memcache\\APCu",
    "memcache.distributed": "\\OC\\Memcache\\Redis",
    "memcache.locking": "\\OC\\Memcache\\Redis",
    memcache_customprefix: nc.redis.keyPrefix,
    redis,
    default_phone_region: nc.defaultPhoneRegion,
    maintenance_window_start: nc.maintenanceWindowStartUtcHour,
    logtimezone: nc.timezone,
  };
}

/** The text of `config/proxmox-sites.config.php`; `@@NEXTCLOUD_REDIS_PASSWORD@@` is filled at write time. */
export function renderNextcloudConfigPhp(input: NextcloudInput): string {
  return [
    "<?php",
    `// Rendered by proxmox-sites for the Nextcloud instance "${input.instance}"; changes here are overwritten.`,
    "// Nextcloud merges this file over config.php.",
    `$CONFIG = ${phpValue(nextcloudSettings(input))};`,
    "",
  ].join("\n");
}
