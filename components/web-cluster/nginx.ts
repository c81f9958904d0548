/**
 * nginx site of a web cluster's app node: the application's document root, PHP through the node's
 * php-fpm socket (front controller: unknown paths go to index.php) or a reverse proxy to the Node.js
 * process, the client's address from the balancer's X-Forwarded-For, and the balancer's health page.
 * Pure.
 */
import { Problems } from "../proxmox/problems";
import { isHostName, isIpv4, isPort } from "./checks";
import { nginxAppServerHeadLines } from "../proxmox/nginx-app-server";

export type WebNginxRuntime =
  | { kind: "php"; socketPath: string; healthScript: string }
  | { kind: "node"; port: number; sharedMarker: string };

export interface WebNginxSiteInput {
  serverName: string;
  listenAddress?: string;
  listenPort: number;
  /** Balancers, their VIP, tunnel connectors: their X-Forwarded-For is trusted; only they get the health page. */
  trustedProxies: readonly string[];
  documentRoot: string;
  healthUri: string;
  maxUploadMb: number;
  runtime: WebNginxRuntime;
}

export function renderWebNginxSite(input: WebNginxSiteInput): string {
  const p = new Problems("webCluster.nginx");
  p.check(isHostName(input.serverName), "serverName", input.serverName, "a host name");
  if (input.listenAddress !== undefined)
    p.check(isIpv4(input.listenAddress), "listenAddress", input.listenAddress, "an IPv4 address");
  p.check(isPort(input.listenPort), "listenPort", input.listenPort, "a port 1-65535");
  p.check(input.trustedProxies.length > 0, "trustedProxies", input.trustedProxies, "at least one address");
  for (const proxy of input.trustedProxies)
    p.check(isIpv4(proxy), "trustedProxies", proxy, "an IPv4 address");
  p.check(
    /^\/[A-Za-z0-9._~/-]*$/.test(input.healthUri) && input.healthUri !== "/",
    "healthUri",
    input.healthUri,
    "a path of its own like /healthz",
  );
  p.check(
    /^\/[A-Za-z0-9._/-]*$/.test(input.documentRoot),
    "documentRoot",
    input.documentRoot,
    "an absolute path",
  );
  p.throwIfAny();
  const listen =
    input.listenAddress === undefined ? `${input.listenPort}` : `${input.listenAddress}:${input.listenPort}`;
  const proxies = [...new Set(input.trustedProxies)].sort();
  const healthClients = [...new Set([...proxies, "127.0.0.1"])];
  const rt = input.runtime;
  const health =
    rt.kind === "php"
      ? [
          "        include /etc/nginx/fastcgi_params;",
          `        fastcgi_param SCRIPT_FILENAME ${rt.healthScript};`,
          `        fastcgi_pass unix:${rt.socketPath};`,
        ]
      : [
          "        # Out of rotation while the shared files are not mounted; else the application answers.",
          `        if (!-f ${rt.sharedMarker}) {`,
          "            return 503;",
          "        }",
          `        proxy_pass http://127.0.0.1:${rt.port};`,
        ];
  const app =
    rt.kind === "php"
      ? [
          "    location / {",
          "        try_files $uri $uri/ /index.php$is_args$args;",
          "    }",
          "",
          "    location ~ [^/]\\.php(/|$) {",
          "        fastcgi_split_path_info ^(.+?\\.php)(/.*)$;",
          "        if (!-f $document_root$fastcgi_script_name) {",
          "            return 404;",
          "        }",
          "        include /etc/nginx/fastcgi_params;",
          "        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;",
          "        fastcgi_param PATH_INFO $fastcgi_path_info;",
          "        fastcgi_param HTTPS on;",
          "        fastcgi_index index.php;",
          "        fastcgi_read_timeout 300s;",
          `        fastcgi_pass unix:${rt.socketPath};`,
          "    }",
        ]
      : [
          "    location / {",
          "        try_files $uri @app;",
          "    }",
          "",
          "    location @app {",
          "        proxy_http_version 1.1;",
          "        proxy_set_header Host $host;",
          "        proxy_set_header X-Forwarded-For $remote_addr;",
          "        proxy_set_header X-Forwarded-Proto https;",
          "        proxy_set_header Upgrade $http_upgrade;",
          '        proxy_set_header Connection "";',
          "        proxy_read_timeout 300s;",
          `        proxy_pass http://127.0.0.1:${rt.port};`,
          "    }",
        ];
  return [
    ...nginxAppServerHeadLines({
      comment: "Web cluster app node. Rendered by proxmox-sites: edits are overwritten.",
      listen,
      serverName: input.serverName,
      root: input.documentRoot,
      index: "index.php index.html",
      maxUploadMb: input.maxUploadMb,
      trustedProxies: proxies,
    }),
    "    # Dot files (.git, .env) are never served.",
    "    location ~ /\\. {",
    "        return 404;",
    "    }",
    "",
    "    # Health page for the balancer; a request that came through it carries X-Forwarded-For and is refused.",
    `    location = ${input.healthUri} {`,
    ...healthClients.map((client) => `        allow ${client};`),
    "        deny all;",
    ...health,
    "    }",
    "",
    ...app,
    "}",
    "",
  ].join("\n");
}
