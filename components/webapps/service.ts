/**
 * A systemd service per Node.js app on the web guests: its unit and its environment file. Secret environment
 * values are `@@NAME@@` placeholders filled from the stdin prelude. Pure: no Pulumi import.
 */
import { GuestFile } from "../proxmox/script";
import { throwIfProblems } from "../proxmox/problems";
import { absolutePathProblem, hostProblem, portProblem } from "./validate";

export interface WebApp {
  /** Short name (lower-case letters, digits, `-`); the unit is `webapp-<name>.service`. */
  name: string;
  /** Port the app listens on, handed to it as `PORT`. */
  port: number;
  /** Address the app binds, handed to it as `HOST`, default `127.0.0.1` (nginx is in front). */
  host?: string;
  /** Directory holding the deployed app (its package.json); the service waits until it exists. */
  workingDirectory: string;
  /** System user the app runs as, created when missing. */
  user: string;
  /** Command systemd starts, absolute program path first, e.g. `/usr/bin/node server.js`. */
  execStart: string;
  /** Plain environment, e.g. `{ NEXT_PUBLIC_SITE: "https://www.bowbo.co.id" }`; `NODE_ENV=production` is added. */
  environment?: Readonly<Record<string, string>>;
  /** Secret environment: name in the app → prelude variable holding the value (e.g. `{ DATABASE_PASSWORD: "API_DB_PASSWORD" }`). */
  secretEnvironment?: Readonly<Record<string, string>>;
}

const appName = /^[a-z][a-z0-9-]{0,40}$/;
const userName = /^[a-z_][a-z0-9_-]{0,31}$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const preludeName = /^[A-Z][A-Z0-9_]*$/;

/** The unit name of an app. */
export function webAppUnit(app: WebApp): string {
  return `webapp-${app.name}.service`;
}

/** Path of an app's environment file. */
export function webAppEnvPath(app: WebApp): string {
  return `/etc/webapps/${app.name}.env`;
}

/** Checks every app; one Error lists every problem. */
export function validateWebApps(apps: readonly WebApp[]): void {
  const problems: (string | undefined)[] = [];
  const names = new Set<string>();
  for (const app of apps) {
    const at = `web.apps[${app.name}]`;
    if (!appName.test(app.name)) problems.push(`${at}: name must be lower-case letters, digits and '-'`);
    if (names.has(app.name)) problems.push(`${at}: the name is used twice`);
    names.add(app.name);
    problems.push(
      portProblem(`${at}.port`, app.port),
      hostProblem(`${at}.host`, app.host ?? "127.0.0.1"),
      absolutePathProblem(`${at}.workingDirectory`, app.workingDirectory),
    );
    if (!userName.test(app.user) || app.user === "root")
      problems.push(`${at}.user: ${app.user} is not a system user name (nor root)`);
    if (!app.execStart.startsWith("/") || /[\n%]/.test(app.execStart)) {
      problems.push(`${at}.execStart: must start with an absolute program path and hold no newline or '%'`);
    }
    for (const [key, value] of Object.entries(app.environment ?? {})) {
      if (!envName.test(key)) problems.push(`${at}.environment: ${key} is not a variable name`);
      if (/['\n\\]/.test(value))
        problems.push(`${at}.environment.${key}: no quote, backslash or newline allowed`);
    }
    for (const [key, from] of Object.entries(app.secretEnvironment ?? {})) {
      if (!envName.test(key)) problems.push(`${at}.secretEnvironment: ${key} is not a variable name`);
      if (!preludeName.test(from))
        problems.push(`${at}.secretEnvironment.${key}: ${from} is not a prelude variable name`);
      if (key in (app.environment ?? {})) problems.push(`${at}: ${key} is both plain and secret`);
    }
  }
  throwIfProblems("web apps", problems);
}

/** The systemd unit of an app. */
export function renderWebAppUnit(app: WebApp): string {
  return [
    "[Unit]",
    `Description=Web app ${app.name} (proxmox-sites)`,
    "After=network-online.target",
    "Wants=network-online.target",
    "# Nothing to run until the app is deployed.",
    `ConditionPathExists=${app.workingDirectory}/package.json`,
    "",
    "[Service]",
    "Type=simple",
    `User=${app.user}`,
    `Group=${app.user}`,
    `WorkingDirectory=${app.workingDirectory}`,
    `EnvironmentFile=${webAppEnvPath(app)}`,
    `ExecStart=${app.execStart}`,
    "Restart=on-failure",
    "RestartSec=5s",
    "NoNewPrivileges=yes",
    "PrivateTmp=yes",
    "ProtectSystem=full",
    "ProtectHome=yes",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** The environment file: single-quoted values (taken literally by systemd), secrets as placeholders. */
export function renderWebAppEnv(app: WebApp): string {
  const plain: Record<string, string> = {
    NODE_ENV: "production",
    HOST: app.host ?? "127.0.0.1",
    PORT: String(app.port),
    ...app.environment,
  };
  const lines = Object.entries(plain).map(([key, value]) => `${key}='${value}'`);
  for (const [key, from] of Object.entries(app.secretEnvironment ?? {})) lines.push(`${key}='@@${from}@@'`);
  return `${lines.join("\n")}\n`;
}

/** Shell-safe suffix for the per-app "changed" flag. */
export function webAppFlag(app: WebApp): string {
  return `webapp_changed_${app.name.replace(/-/g, "_")}`;
}

/** The unit and environment file of an app; a change marks the app for a restart. */
export function webAppFiles(app: WebApp): GuestFile[] {
  return [
    {
      path: `/etc/systemd/system/${webAppUnit(app)}`,
      content: renderWebAppUnit(app),
      mode: "0644",
      onChange: `${webAppFlag(app)}=1\nunits_changed=1`,
    },
    {
      path: webAppEnvPath(app),
      content: renderWebAppEnv(app),
      mode: "0640",
      owner: `root:${app.user}`,
      onChange: `${webAppFlag(app)}=1`,
    },
  ];
}
