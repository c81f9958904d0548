/**
 * The provisioning script of a web guest (frontend 200, backend 201; Ubuntu 22.04): Node.js LTS from
 * NodeSource, one systemd service per app, and nginx in front of them for each site hostname.
 *
 * Why NodeSource: Ubuntu 22.04's own `nodejs` is 12.22, end of life since 2022 and too old for Next.js (≥ 18.18).
 * NodeSource's signed apt repository keeps a chosen LTS major current through normal `apt` upgrades.
 * Pure: no Pulumi import.
 */
import { GuestFile, renderScript } from "../proxmox/script";
import { throwIfProblems } from "../proxmox/problems";
import { shellQuote } from "../proxmox/shell-quote";
import { renderAptGetLines, renderAptInstall } from "../proxmox/apt";
import { renderSecretCheck } from "../proxmox/secret-checks";
import { NginxProxyInput, renderNginxProxyConfig } from "./nginx";
import { WebApp, validateWebApps, webAppFiles, webAppFlag, webAppUnit } from "./service";
import { positiveIntegerProblem } from "./validate";

export interface WebGuestInput extends NginxProxyInput {
  /** Node.js major release from NodeSource, default 24 (the LTS line in 2026). */
  nodeMajor?: number;
  /** Apps run as systemd services on this guest. */
  apps: readonly WebApp[];
}

/** Where the proxy config goes: Ubuntu's nginx.conf includes conf.d/*.conf inside `http {}`. */
export const NGINX_PROXY_CONF = "/etc/nginx/conf.d/proxmox-sites.conf";

/** Prelude variables the script needs: every prelude name the apps' secret environment refers to. */
export function webGuestScriptEnv(input: WebGuestInput): string[] {
  const names = input.apps.flatMap((app) => Object.values(app.secretEnvironment ?? {}));
  return [...new Set(names)].sort();
}

/** Tunnel ingress for this guest: every site name → nginx on the guest. */
export function webGuestOrigins(input: WebGuestInput): { hostname: string; service: string }[] {
  const host = input.listenAddress.includes(":") ? `[${input.listenAddress}]` : input.listenAddress;
  const service = `http://${host}:${input.listenPort ?? 80}`;
  return input.sites.flatMap((site) =>
    [site.hostname, ...(site.aliases ?? [])].map((hostname) => ({ hostname, service })),
  );
}

function renderNodeInstall(major: number): string {
  const list = `deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_${major}.x nodistro main`;
  return [
    `# Node.js ${major}.x from NodeSource, installed or switched only when the running major differs.`,
    `if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" != ${major} ]; then`,
    "  install -d -m 0755 /etc/apt/keyrings",
    "  curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg",
    `  printf '%s\\n' ${shellQuote(list)} >/etc/apt/sources.list.d/nodesource.list`,
    // NodeSource's nodejs with its Recommends, as it has always been installed here.
    ...renderAptGetLines("nodejs", { frontend: "export", recommends: true }),
    "fi",
  ].join("\n");
}

function renderUsers(apps: readonly WebApp[]): string {
  return apps
    .map((app) =>
      [
        `if ! id -u ${app.user} >/dev/null 2>&1; then`,
        `  useradd --system --home-dir ${shellQuote(app.workingDirectory)} --no-create-home --shell /usr/sbin/nologin ${app.user}`,
        "fi",
        `[ -d ${shellQuote(app.workingDirectory)} ] || install -d -m 0750 -o ${app.user} -g ${app.user} ${shellQuote(app.workingDirectory)}`,
      ].join("\n"),
    )
    .join("\n");
}

function renderServices(apps: readonly WebApp[]): string {
  const lines = ['if [ "$units_changed" = 1 ]; then systemctl daemon-reload; fi'];
  for (const app of apps) {
    const unit = webAppUnit(app);
    lines.push(
      `systemctl is-enabled --quiet ${unit} || systemctl enable --quiet ${unit}`,
      `if [ "$${webAppFlag(app)}" = 1 ]; then`,
      `  systemctl restart ${unit}`,
      `elif ! systemctl is-active --quiet ${unit}; then`,
      "  # Starts once the app is deployed (the unit's ConditionPathExists); a no-op before that.",
      `  systemctl start ${unit}`,
      "fi",
    );
  }
  return lines.join("\n");
}

/** The files the script writes (nginx proxy config, each app's unit and environment file). */
export function webGuestFiles(input: WebGuestInput): GuestFile[] {
  return [
    {
      path: NGINX_PROXY_CONF,
      content: renderNginxProxyConfig(input),
      mode: "0644",
      onChange: "nginx_changed=1",
    },
    ...input.apps.flatMap(webAppFiles),
  ];
}

/** Idempotent script for a web guest. */
export function renderWebGuestScript(input: WebGuestInput): string {
  const major = input.nodeMajor ?? 24;
  throwIfProblems("web guest", [positiveIntegerProblem("web.nodeMajor", major)]);
  validateWebApps(input.apps);
  const files = webGuestFiles(input);
  const setup = [
    ...webGuestScriptEnv(input).map((name) => renderSecretCheck(name, "env-file")),
    renderAptInstall(["ca-certificates", "curl", "gnupg", "nginx"]),
    renderNodeInstall(major),
    renderUsers(input.apps),
    "nginx_changed=0",
    "units_changed=0",
    ...input.apps.map((app) => `${webAppFlag(app)}=0`),
  ].join("\n");
  const body = [
    "# Ubuntu's default site would answer for unknown hosts; ours closes those connections instead.",
    "if [ -e /etc/nginx/sites-enabled/default ]; then",
    "  rm -f /etc/nginx/sites-enabled/default",
    "  nginx_changed=1",
    "fi",
    'if [ "$nginx_changed" = 1 ]; then',
    "  nginx -t -q",
    "  if systemctl is-active --quiet nginx; then systemctl reload nginx; else systemctl start nginx; fi",
    "fi",
    "systemctl is-enabled --quiet nginx || systemctl enable --quiet nginx",
    "systemctl is-active --quiet nginx || systemctl start nginx",
    renderServices(input.apps),
  ].join("\n");
  return renderScript({
    summary: `Web guest: nginx for ${input.sites.map((s) => s.hostname).join(", ")}; Node.js ${major} apps.`,
    requiredEnv: webGuestScriptEnv(input),
    setup,
    files,
    body,
  });
}
