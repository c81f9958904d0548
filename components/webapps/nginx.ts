/**
 * nginx reverse proxy for the web guests (frontend, backend): one server per site hostname in front of a local
 * Node.js app, the client address taken from the tunnel connector's header only when the connection comes from
 * that connector, WebSocket upgrades passed through, and a default server that closes the connection (444) for
 * any other Host. The text goes into nginx's `http {}` context (Ubuntu: /etc/nginx/conf.d/). Pure: no Pulumi
 * import.
 */
import {
  absolutePathProblem,
  hostProblem,
  ipOrCidrProblem,
  ipProblem,
  isDnsName,
  portProblem,
  positiveIntegerProblem,
} from "./validate";
import { throwIfProblems } from "../proxmox/problems";

/** One public hostname served by the guest. */
export interface ProxiedSite {
  /** Public hostname (the tunnel's ingress hostname), e.g. `www.bowbo.co.id`. */
  hostname: string;
  /** More names served the same way, e.g. the bare domain. */
  aliases?: readonly string[];
  /** Port of the app behind nginx. */
  upstreamPort: number;
  /** Address of the app, default `127.0.0.1` (the app runs on the same guest). */
  upstreamHost?: string;
  /** Directory whose files nginx serves itself; a path not found there goes to the app. */
  staticRoot?: string;
  /** Largest request body in MB for this site, default the guest's `clientMaxBodySizeMb`. */
  clientMaxBodySizeMb?: number;
}

export interface NginxProxyInput {
  /** Guest address nginx listens on (the tunnel origin), e.g. `192.168.0.20`. */
  listenAddress: string;
  /** Port nginx listens on, default 80. */
  listenPort?: number;
  /** Addresses or CIDRs of the proxies in front (the cloudflared guest): only they may set the client address. */
  trustedProxies: readonly string[];
  /** Header holding the client address from those proxies, default `CF-Connecting-IP` (set by cloudflared). */
  realIpHeader?: string;
  /** Largest request body in MB, default 25. */
  clientMaxBodySizeMb?: number;
  /** Read/send timeout to the app in seconds (long enough for WebSockets to idle), default 300. */
  proxyTimeoutSeconds?: number;
  sites: readonly ProxiedSite[];
}

/** nginx variable and upstream names carry this prefix so they cannot clash with other config. */
const prefix = "proxmox_sites";

function upstreamName(hostname: string): string {
  return `${prefix}_${hostname.replace(/[.-]/g, "_")}`;
}

function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function validate(input: NginxProxyInput): void {
  const problems: (string | undefined)[] = [
    ipProblem("web.listenAddress", input.listenAddress),
    portProblem("web.listenPort", input.listenPort ?? 80),
    positiveIntegerProblem("web.clientMaxBodySizeMb", input.clientMaxBodySizeMb ?? 25),
    positiveIntegerProblem("web.proxyTimeoutSeconds", input.proxyTimeoutSeconds ?? 300),
    /^[A-Za-z0-9-]+$/.test(input.realIpHeader ?? "CF-Connecting-IP")
      ? undefined
      : "web.realIpHeader: not a header name",
    input.trustedProxies.length > 0
      ? undefined
      : "web.trustedProxies: at least the tunnel connector's address",
    input.sites.length > 0 ? undefined : "web.sites: no site to serve",
  ];
  input.trustedProxies.forEach((p) => problems.push(ipOrCidrProblem("web.trustedProxies", p)));
  const names = new Set<string>();
  const upstreams = new Set<string>();
  for (const site of input.sites) {
    const at = `web.sites[${site.hostname}]`;
    for (const name of [site.hostname, ...(site.aliases ?? [])]) {
      if (!isDnsName(name)) problems.push(`${at}: ${name} is not a lower-case DNS name`);
      if (names.has(name)) problems.push(`${at}: ${name} is served twice`);
      names.add(name);
    }
    if (upstreams.has(upstreamName(site.hostname)))
      problems.push(`${at}: name clashes with another site's upstream`);
    upstreams.add(upstreamName(site.hostname));
    problems.push(
      portProblem(`${at}.upstreamPort`, site.upstreamPort),
      hostProblem(`${at}.upstreamHost`, site.upstreamHost ?? "127.0.0.1"),
      site.staticRoot === undefined ? undefined : absolutePathProblem(`${at}.staticRoot`, site.staticRoot),
      site.clientMaxBodySizeMb === undefined
        ? undefined
        : positiveIntegerProblem(`${at}.clientMaxBodySizeMb`, site.clientMaxBodySizeMb),
    );
  }
  throwIfProblems("web proxy", problems);
}

function proxyLines(site: ProxiedSite, timeoutSeconds: number): string[] {
  return [
    `proxy_pass http://${upstreamName(site.hostname)};`,
    "proxy_http_version 1.1;",
    "proxy_set_header Host $host;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "# The client address resolved above, not the chain a client may have forged.",
    "proxy_set_header X-Forwarded-For $remote_addr;",
    `proxy_set_header X-Forwarded-Proto $${prefix}_forwarded_proto;`,
    "proxy_set_header X-Forwarded-Host $host;",
    "proxy_set_header Upgrade $http_upgrade;",
    `proxy_set_header Connection $${prefix}_connection;`,
    `proxy_read_timeout ${timeoutSeconds}s;`,
    `proxy_send_timeout ${timeoutSeconds}s;`,
  ];
}

function indent(lines: readonly string[], depth: number): string[] {
  return lines.map((line) => `${"    ".repeat(depth)}${line}`);
}

function serverBlock(site: ProxiedSite, input: NginxProxyInput): string[] {
  const listen = hostPort(input.listenAddress, input.listenPort ?? 80);
  const timeout = input.proxyTimeoutSeconds ?? 300;
  const lines = [
    "server {",
    `    listen ${listen};`,
    `    server_name ${[site.hostname, ...(site.aliases ?? [])].join(" ")};`,
    `    client_max_body_size ${site.clientMaxBodySizeMb ?? input.clientMaxBodySizeMb ?? 25}m;`,
  ];
  if (site.staticRoot !== undefined) {
    lines.push(
      `    root ${site.staticRoot};`,
      "    location / {",
      "        try_files $uri @app;",
      "    }",
      "    location @app {",
      ...indent(proxyLines(site, timeout), 2),
      "    }",
    );
  } else {
    lines.push("    location / {", ...indent(proxyLines(site, timeout), 2), "    }");
  }
  lines.push("}");
  return lines;
}

/** The proxy configuration for nginx's `http {}` context. */
export function renderNginxProxyConfig(input: NginxProxyInput): string {
  validate(input);
  const listen = hostPort(input.listenAddress, input.listenPort ?? 80);
  const lines = [
    `# Reverse proxy for ${input.sites.length} site(s) on ${listen}. Rendered by proxmox-sites.`,
    "server_tokens off;",
    "",
    "# The client address comes from the tunnel connector's header, and only from the connector.",
    ...input.trustedProxies.map((p) => `set_real_ip_from ${p};`),
    `real_ip_header ${input.realIpHeader ?? "CF-Connecting-IP"};`,
    "real_ip_recursive off;",
    `geo $realip_remote_addr $${prefix}_from_proxy {`,
    "    default 0;",
    ...input.trustedProxies.map((p) => `    ${p} 1;`),
    "}",
    "# TLS ends at Cloudflare: believe X-Forwarded-Proto from the connector, use the real scheme otherwise.",
    `map "$${prefix}_from_proxy:$http_x_forwarded_proto" $${prefix}_forwarded_proto {`,
    "    default $scheme;",
    '    "1:https" https;',
    '    "1:http" http;',
    "}",
    "# WebSocket upgrade when asked for; otherwise an empty Connection header keeps upstream keepalive working.",
    `map $http_upgrade $${prefix}_connection {`,
    "    default upgrade;",
    '    "" "";',
    "}",
    "",
  ];
  for (const site of input.sites) {
    lines.push(
      `upstream ${upstreamName(site.hostname)} {`,
      `    server ${hostPort(site.upstreamHost ?? "127.0.0.1", site.upstreamPort)};`,
      "    keepalive 16;",
      "}",
    );
  }
  lines.push(
    "",
    "# Any other Host (or none): close the connection without an answer.",
    "server {",
    `    listen ${listen} default_server;`,
    "    server_name _;",
    "    return 444;",
    "}",
  );
  for (const site of input.sites) lines.push("", ...serverBlock(site, input));
  return `${lines.join("\n")}\n`;
}
