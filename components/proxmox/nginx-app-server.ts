/**
 * The part of an app node's nginx server every app tier writes the same way (Moodle's node and the
 * web cluster's): listen, names, root, upload limit, and the client address taken from the
 * balancer's X-Forwarded-For, trusted only from the balancers. Pure: no Pulumi import.
 */

export interface NginxAppServerHead {
  /** The first line's text after `# `. */
  comment: string;
  listen: string;
  serverName: string;
  root: string;
  /** `index` directive's files, e.g. `index.php`. */
  index: string;
  maxUploadMb: number;
  /** Sorted, unique addresses whose X-Forwarded-For is believed. */
  trustedProxies: readonly string[];
}

/** From the comment to `real_ip_recursive on;` and the blank line after it (inside `server {`). */
export function nginxAppServerHeadLines(head: NginxAppServerHead): string[] {
  return [
    `# ${head.comment}`,
    "server {",
    `    listen ${head.listen} default_server;`,
    `    server_name ${head.serverName};`,
    `    root ${head.root};`,
    `    index ${head.index};`,
    `    client_max_body_size ${head.maxUploadMb}m;`,
    "    server_tokens off;",
    "",
    "    # The client's address comes from the balancer's X-Forwarded-For, trusted only from these hosts.",
    ...head.trustedProxies.map((proxy) => `    set_real_ip_from ${proxy};`),
    "    real_ip_header X-Forwarded-For;",
    "    real_ip_recursive on;",
    "",
  ];
}
