/**
 * Provisioning script of a web cluster's app node: nginx and the runtime (PHP-FPM with the chosen
 * extensions, or Node.js as a systemd service), the application's code from its git ref or pinned
 * tarball, its environment file (settings and credentials), and every config file of the node. A
 * changed nginx/php-fpm file raises a flag, lowered only after the daemon's own check passed and it
 * reloaded, so a failed run is finished by the next one. Pure: renders the script.
 */
import { renderSecretCheck } from "../proxmox/secret-checks";
import { placeholdersIn } from "../proxmox/secret-forms";
import { renderAptInstall } from "../proxmox/apt";
import { GuestFile, renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import type { PoolSizing } from "../proxmox/php-fpm-pool";
import { renderWebHealthPage } from "./health";
import { renderWebNginxSite } from "./nginx";
import { renderWebPhpIni, renderWebPhpPool } from "./php";
import { ensureServiceStep, pendingDirOf, raiseFlag, reloadOnFlagStep, rootStep } from "./shell";
import { renderSourceStep, type WebSource } from "./source";

/** Secrets the app node's prelude exports (placeholders in its environment file and pool). */
export const webDbPasswordVariable = "WEB_DB_PASSWORD";
export const webRedisPasswordVariable = "WEB_REDIS_PASSWORD";

/** Where a cluster keeps things on its app nodes. */
export interface WebNodeLayout {
  codeDir: string;
  envFile: string;
  healthScript: string;
  socketPath: string;
  sharedPath: string;
  sharedMarker: string;
  phpVersion: string;
}

export function webNodeLayout(
  cluster: string,
  sharedPath: string,
  phpVersion: string,
  marker: string,
): WebNodeLayout {
  return {
    codeDir: `/var/www/${cluster}`,
    envFile: `/etc/proxmox-sites/${cluster}/app.env`,
    healthScript: `/var/www/${cluster}-health/health.php`,
    socketPath: `/run/php/php${phpVersion}-fpm-${cluster}.sock`,
    sharedPath,
    sharedMarker: `${sharedPath}/${marker}`,
    phpVersion,
  };
}

export type WebNodeRuntime =
  | { kind: "php"; extensions: readonly string[]; memoryLimitMb: number; sizing: PoolSizing }
  | { kind: "node"; start: string; port: number };

export interface WebAppNodeInput {
  cluster: string;
  source: WebSource;
  runtime: WebNodeRuntime;
  layout: WebNodeLayout;
  /** Relative to the code directory (`.` for the code directory itself). */
  documentRoot: string;
  serverName: string;
  listenPort: number;
  trustedProxies: readonly string[];
  healthUri: string;
  maxUploadMb: number;
  /** The application's environment; `@@WEB_DB_PASSWORD@@` / `@@WEB_REDIS_PASSWORD@@` for the secrets. */
  environment: Readonly<Record<string, string>>;
  redisSessions?: { host: string; port: number; user: string; prefix: string };
}

/** Debian packages of an app node. */
export function webNodePackages(runtime: WebNodeRuntime): string[] {
  if (runtime.kind === "node") return ["nginx", "nodejs", "git", "curl", "ca-certificates"];
  const php = [...new Set(["fpm", "cli", "mysql", "redis", ...runtime.extensions])];
  return ["nginx", ...php.map((ext) => `php-${ext}`), "git", "curl", "ca-certificates"];
}

/** The secrets an app node's script needs. */
export function webAppNodeEnv(input: Pick<WebAppNodeInput, "environment" | "redisSessions">): string[] {
  const used = new Set<string>();
  for (const value of Object.values(input.environment))
    for (const name of placeholdersIn(value)) used.add(name);
  if (input.redisSessions) used.add(webRedisPasswordVariable);
  return [...used].sort();
}

/** The Node.js runtime's systemd unit. */
export function renderNodeService(input: {
  cluster: string;
  layout: WebNodeLayout;
  start: string;
  port: number;
}): string {
  return [
    `# ${input.cluster} (Node.js). Rendered by proxmox-sites.`,
    "[Unit]",
    `Description=${input.cluster} web application (Node.js)`,
    "After=network-online.target",
    "Wants=network-online.target",
    `RequiresMountsFor=${input.layout.sharedPath}`,
    "",
    "[Service]",
    "User=www-data",
    "Group=www-data",
    `WorkingDirectory=${input.layout.codeDir}`,
    `EnvironmentFile=${input.layout.envFile}`,
    `Environment=PORT=${input.port} HOST=127.0.0.1 NODE_ENV=production`,
    `ExecStart=/usr/bin/node ${input.layout.codeDir}/${input.start}`,
    "Restart=on-failure",
    "RestartSec=2",
    "NoNewPrivileges=yes",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

function envFileText(env: Readonly<Record<string, string>>): string {
  return `${Object.entries(env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;
}

export function renderWebAppNodeScript(input: WebAppNodeInput): string {
  const { layout, cluster, runtime } = input;
  if (!/^[a-z][a-z0-9-]*$/.test(cluster))
    throw new Error(`webClusters: ${JSON.stringify(cluster)} is not a cluster name`);
  const pending = pendingDirOf(cluster);
  const flag = (name: string) => raiseFlag(name, pending);
  const documentRoot =
    input.documentRoot === "." ? layout.codeDir : `${layout.codeDir}/${input.documentRoot}`;
  const v = layout.phpVersion;
  const site = renderWebNginxSite({
    serverName: input.serverName,
    listenPort: input.listenPort,
    trustedProxies: input.trustedProxies,
    documentRoot,
    healthUri: input.healthUri,
    maxUploadMb: input.maxUploadMb,
    runtime:
      runtime.kind === "php"
        ? { kind: "php", socketPath: layout.socketPath, healthScript: layout.healthScript }
        : { kind: "node", port: runtime.port, sharedMarker: layout.sharedMarker },
  });
  const siteName = `${cluster}`;
  const files: GuestFile[] = [
    { path: `/etc/nginx/sites-available/${siteName}`, content: site, onChange: flag("nginx") },
    {
      path: layout.envFile,
      content: envFileText(input.environment),
      mode: "0640",
      owner: "root:www-data",
      onChange: runtime.kind === "php" ? flag("php-fpm") : flag("app"),
    },
  ];
  const body = [
    `if [ "$(readlink "$root/etc/nginx/sites-enabled/${siteName}")" != /etc/nginx/sites-available/${siteName} ]; then`,
    `  ln -sfn /etc/nginx/sites-available/${siteName} "$root/etc/nginx/sites-enabled/${siteName}"`,
    `  ${flag("nginx")}`,
    "fi",
    'if [ -e "$root/etc/nginx/sites-enabled/default" ] || [ -L "$root/etc/nginx/sites-enabled/default" ]; then',
    '  rm -f "$root/etc/nginx/sites-enabled/default"',
    `  ${flag("nginx")}`,
    "fi",
  ];
  if (runtime.kind === "php") {
    const ini = renderWebPhpIni({ memoryLimitMb: runtime.memoryLimitMb, maxUploadMb: input.maxUploadMb });
    const r = input.redisSessions;
    files.push(
      {
        path: `/etc/php/${v}/fpm/pool.d/${cluster}.conf`,
        content: renderWebPhpPool({
          name: cluster,
          socketPath: layout.socketPath,
          sizing: runtime.sizing,
          environment: input.environment,
          redisSessions: r ? { ...r, passwordPlaceholder: `@@${webRedisPasswordVariable}@@` } : undefined,
        }),
        mode: "0640",
        onChange: flag("php-fpm"),
      },
      { path: `/etc/php/${v}/fpm/conf.d/90-${cluster}.ini`, content: ini, onChange: flag("php-fpm") },
      { path: `/etc/php/${v}/cli/conf.d/90-${cluster}.ini`, content: ini },
      {
        path: layout.healthScript,
        content: renderWebHealthPage({ sharedMarker: layout.sharedMarker, codeMarker: documentRoot }),
      },
    );
    body.push(
      `if [ -e "$root/etc/php/${v}/fpm/pool.d/www.conf" ]; then`,
      `  mv "$root/etc/php/${v}/fpm/pool.d/www.conf" "$root/etc/php/${v}/fpm/pool.d/www.conf.disabled"`,
      `  ${flag("php-fpm")}`,
      "fi",
      reloadOnFlagStep("php-fpm", `php-fpm${v} -t`, `php${v}-fpm.service`, pending),
      ensureServiceStep(`php${v}-fpm.service`),
    );
  } else {
    const unit = `${cluster}.service`;
    files.push({
      path: `/etc/systemd/system/${unit}`,
      content: renderNodeService({ cluster, layout, start: runtime.start, port: runtime.port }),
      onChange: `systemctl daemon-reload\n${flag("app")}`,
    });
    body.push(
      `if [ -e "$root${pending}/app" ]; then`,
      `  systemctl restart ${shellQuote(unit)}`,
      `  rm -f "$root${pending}/app"`,
      "fi",
      ensureServiceStep(unit),
    );
  }
  body.push(
    reloadOnFlagStep("nginx", "nginx -t -q", "nginx.service", pending),
    ensureServiceStep("nginx.service"),
  );
  return renderScript({
    summary: `${cluster} app node: nginx, ${runtime.kind === "php" ? `php-fpm ${v}` : "Node.js"}, code from ${"git" in input.source ? `${input.source.git} ${input.source.ref}` : input.source.tarball}`,
    requiredEnv: webAppNodeEnv(input),
    setup: [
      // The secrets stand in a php-fpm pool's "…" values, a Redis URL's query or a systemd unit line.
      ...webAppNodeEnv(input).map((name) => renderSecretCheck(name, "url-safe")),
      rootStep,
      renderAptInstall(webNodePackages(runtime)),
      renderSourceStep(input.source, layout.codeDir),
    ].join("\n"),
    files,
    body: body.join("\n"),
  });
}
