/**
 * The web front of a TurnKey Nextcloud guest. TurnKey's own site (`nextcloud.conf`) redirects every plain-HTTP
 * request to https on the guest, which would loop behind the tunnel: TLS ends at Cloudflare and cloudflared talks
 * plain HTTP to the origin. Rather than edit TurnKey's file (or make cloudflared speak https with noTLSVerify to
 * a self-signed certificate), we add our own port-80 virtual host named `000-…` so that it sorts first and is the
 * default for every host name; TurnKey's 443 site stays for LAN administrators. Pure: no Pulumi import.
 */
import { NextcloudInput, resolveNextcloudInput } from "./types";

/** Name of our Apache site (sites-available/<name>.conf); it sorts before TurnKey's `nextcloud.conf`. */
export function nextcloudApacheSiteName(instance: string): string {
  return `000-proxmox-sites-nextcloud-${instance}`;
}

/** Apache modules the site and Nextcloud's .htaccess need. */
export const NEXTCLOUD_APACHE_MODULES = ["rewrite", "headers", "env", "dir", "mime", "setenvif"] as const;

/** The plain-HTTP virtual host the tunnel reaches (no redirect to https; HSTS for browsers). */
export function renderNextcloudApacheSite(input: NextcloudInput): string {
  const nc = resolveNextcloudInput(input);
  const root = nc.installDirectory;
  return `# Rendered by proxmox-sites: Nextcloud "${nc.instance}" behind the Cloudflare tunnel (TLS ends at Cloudflare).
<VirtualHost *:${nc.httpPort}>
    ServerName ${nc.hostname}
    ServerAlias ${nc.guestIp}
    DocumentRoot ${root}
    # Requests reach us over plain HTTP from cloudflared; Nextcloud builds https URLs from overwriteprotocol.
    <IfModule mod_headers.c>
        Header always set Strict-Transport-Security "max-age=15552000; includeSubDomains"
    </IfModule>
    <Directory ${root}/>
        Require all granted
        AllowOverride All
        Options FollowSymLinks MultiViews
        <IfModule mod_dav.c>
            Dav off
        </IfModule>
        SetEnv HOME ${root}
        SetEnv HTTP_HOME ${root}
    </Directory>
    LimitRequestBody 0
    ErrorLog \${APACHE_LOG_DIR}/nextcloud-${nc.instance}-error.log
    CustomLog \${APACHE_LOG_DIR}/nextcloud-${nc.instance}-access.log combined
</VirtualHost>
`;
}

/** PHP settings for Apache's mod_php and the CLI (occ, cron.php): memory, uploads, APCu for the CLI. */
export function renderNextcloudPhpIni(input: NextcloudInput): string {
  const nc = resolveNextcloudInput(input);
  return `; Rendered by proxmox-sites for Nextcloud "${nc.instance}".
memory_limit = ${nc.phpMemoryMb}M
upload_max_filesize = ${nc.uploadMaxMb}M
post_max_size = ${nc.uploadMaxMb}M
max_input_time = 3600
max_execution_time = 3600
output_buffering = Off
date.timezone = ${nc.timezone}
opcache.interned_strings_buffer = 16
; occ and cron.php run under the CLI and need APCu there too (memcache.local).
apc.enable_cli = 1
`;
}

/** cron.d entry running cron.php every 5 minutes as www-data (replaces TurnKey's 15-minute one). */
export function renderNextcloudCron(input: NextcloudInput): string {
  const nc = resolveNextcloudInput(input);
  return `# Rendered by proxmox-sites: Nextcloud "${nc.instance}" background jobs, cron.php every 5 minutes.
*/5 * * * * www-data /usr/bin/php -f ${nc.installDirectory}/cron.php >/dev/null 2>&1
`;
}
