/**
 * The nginx site serving Passbolt to the tunnel on plain HTTP. We install the package in its "simple mode"
 * (no local MariaDB, no package-made nginx site) and write this site ourselves: its debconf nginx choices
 * all add TLS on the guest, which the tunnel does not need. Pure: no Pulumi import.
 */
import { PassboltInput, resolvePassboltInput } from "./types";

/** File name under /etc/nginx/sites-available (and the sites-enabled link). */
export const PASSBOLT_NGINX_SITE = "passbolt-proxmox-sites.conf";

/** The server block. */
export function renderPassboltNginxSite(input: PassboltInput): string {
  const p = resolvePassboltInput(input);
  const listen = p.listenAddress ? `${p.listenAddress}:${p.httpPort}` : String(p.httpPort);
  const realIp = p.trustedProxies.map((proxy) => `    set_real_ip_from ${proxy};`).join("\n");
  return `# Rendered by proxmox-sites: Passbolt (${p.hostname}) behind the Cloudflare tunnel; TLS ends at Cloudflare.
server {
    listen ${listen} default_server;
    server_name ${p.hostname};

    client_body_buffer_size 100K;
    client_header_buffer_size 1K;
    client_max_body_size 5M;
    client_body_timeout 10;
    client_header_timeout 10;
    keepalive_timeout 5 5;
    send_timeout 10;

    # The visitor's address, as Cloudflare saw it, for Passbolt's logs and throttling.
${realIp}
    real_ip_header CF-Connecting-IP;

    root ${p.webRoot};
    index index.php;

    location / {
        try_files $uri $uri/ /index.php?$args;
    }

    location ~ \\.php$ {
        try_files $uri =404;
        include fastcgi_params;
        fastcgi_pass unix:${p.phpFpmSocket};
        fastcgi_index index.php;
        fastcgi_intercept_errors on;
        fastcgi_split_path_info ^(.+\\.php)(.+)$;
        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
        fastcgi_param SERVER_NAME $http_host;
        # Every visitor used https (to Cloudflare): without this Passbolt's ssl.force would redirect forever.
        fastcgi_param HTTPS on;
        fastcgi_param PHP_VALUE "upload_max_filesize=5M \\n post_max_size=5M";
    }
}
`;
}
