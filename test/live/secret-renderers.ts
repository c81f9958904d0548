/**
 * Every renderer that takes a secret, in two tables the secret tests iterate:
 *
 * - `anyStringRenderers`: the secret may be any string (no NUL). Each entry renders its file, lets
 *   real bash fill the placeholders (the provisioning script's own file step), and reads the values
 *   back with the tool that uses the file (php, the `yaml` package and amtool, MariaDB, redis-server).
 * - `guardedSecrets`: the daemon's format cannot hold every character and the variable is always
 *   generated without special characters; the script refuses any other value with a check naming
 *   the variable (components/proxmox/secret-checks.ts) before it writes anything.
 *
 * `sources` name the component files that write the placeholders: secret-renderers.test.ts fails
 * when a component writes a placeholder that neither table covers.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { renderAlertmanagerConfig } from "../../components/monitoring/alertmanager";
import {
  renderExporterScript,
  mysqldExporterPart,
  redisExporterPart,
} from "../../components/monitoring/exporters";
import { renderMonitoringScript } from "../../components/monitoring/scripts";
import { renderPveExporterConfig } from "../../components/monitoring/pve";
import { renderMoodleConfigPhp } from "../../components/moodle/config-php";
import { defaultMoodleLayout } from "../../components/moodle/layout";
import { renderNextcloudConfigPhp } from "../../components/nextcloud/config";
import { renderPassboltConfigPhp } from "../../components/passbolt/config";
import { renderPrelude } from "../../components/proxmox/script";
import { renderMariaDbClientStep, renderSqlStep } from "../../components/database/mariadb-shell";
import { mariadbAppsSecrets, renderMariaDbAppsScript } from "../../components/database/mariadb-scripts";
import { redisScriptSecrets, renderRedisAcl } from "../../components/redis/redis-acl";
import { SecretShape, renderSecretCheck } from "../../components/proxmox/secret-checks";
import { renderSnipeItScript } from "../../components/snipeit/render";
import { renderFrappeScript } from "../../components/frappe/render";
import { resolve } from "node:path";
import { siteWiring } from "../../config/wiring";
import { validateSiteConfig } from "../../config/validate";
import type { FrappeSiteInput } from "../../components/frappe/inputs";
import type { MonitoringGuestInput } from "../../components/monitoring/scripts";
import { renderWebGuestScript, type WebGuestInput } from "../../components/webapps/render";
import { renderWebAppNodeScript } from "../../components/web-cluster/app-node";
import { renderBalancerScript } from "../../components/web-cluster/balancer-script";
import { planWebCluster, type WebClusterPlan } from "../../components/web-cluster/plan";
import { loadProfile, scaffoldStack } from "../../scripts/lib/scaffold";
import { findProgram, run } from "./support/daemon";
import { fillSecrets } from "./support/fill-secrets";
import { nextcloudInput, passboltInput, snipeItInput } from "./fixtures/php-apps/inputs";

/** What a read-back gets from the test: a scratch directory, and the daemons' sockets. */
export interface RendererContext {
  scratch: string;
  mariadbSocket: string;
  /** Starts redis-server on a Unix socket with an ACL file; resolves to a function that sends AUTH and stops it. */
  redisWithAcl(
    aclFile: string,
  ): Promise<{ auth(user: string, password: string): Promise<string>; stop(): Promise<void> }>;
}

export interface AnyStringRenderer {
  /** What is rendered. */
  what: string;
  /** Component files whose placeholders this entry proves. */
  sources: readonly string[];
  /** The exported variables the file takes. */
  variables: readonly string[];
  /** Needs a running daemon of the test (its socket comes in `ctx`). */
  daemon?: "mariadb" | "redis";
  /** The values as the consuming tool reads them back from the filled file, by variable. */
  readBack(
    env: Readonly<Record<string, string>>,
    ctx: RendererContext,
  ): Record<string, unknown> | Promise<Record<string, unknown>>;
}

function phpJson(code: string): unknown {
  const result = run(findProgram("php"), ["-r", code]);
  if (result.status !== 0) throw new Error(`php failed:\n${result.output}`);
  return JSON.parse(result.stdout);
}

function writeIn(scratch: string, name: string, text: string): string {
  const path = join(scratch, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const phpArrayOf = (file: string, kind: "nextcloud" | "passbolt") =>
  kind === "nextcloud"
    ? `$CONFIG = []; include ${JSON.stringify(file)}; echo json_encode($CONFIG, JSON_THROW_ON_ERROR);`
    : `echo json_encode(include ${JSON.stringify(file)}, JSON_THROW_ON_ERROR);`;

const emailInput = {
  site: { client: "bowbo", stack: "prod" },
  email: { smarthost: "smtp.example.com:587", from: "alerts@example.com", to: ["it@example.com"] },
  telegram: { chatId: "-1001234567890" },
} as Parameters<typeof renderAlertmanagerConfig>[0];

export const anyStringRenderers: readonly AnyStringRenderer[] = [
  {
    what: "the stdin prelude (bash)",
    sources: ["components/proxmox/script.ts"],
    variables: ["SECRET_VALUE"],
    readBack: (env) => {
      const result = run("bash", ["-s"], `${renderPrelude(env)}printf '%s' "$SECRET_VALUE"\n`);
      if (result.status !== 0) throw new Error(result.output);
      return { SECRET_VALUE: result.stdout };
    },
  },
  {
    what: "Moodle config.php (php)",
    sources: ["components/moodle/config-php.ts"],
    variables: ["MOODLE_DB_PASSWORD", "MOODLE_REDIS_PASSWORD"],
    readBack: (env, { scratch }) => {
      writeIn(scratch, "moodle/lib/setup.php", "<?php // stand-in for Moodle's setup\n");
      const text = renderMoodleConfigPhp({
        wwwroot: "https://lms.school.example",
        database: { host: "10.10.0.10", name: "moodle", user: "moodle" },
        redis: { host: "10.10.0.12", user: "moodle" },
        layout: defaultMoodleLayout,
      });
      const file = writeIn(scratch, "moodle/config.php", fillSecrets(text, env));
      const cfg = phpJson(
        `require ${JSON.stringify(file)}; echo json_encode($CFG, JSON_THROW_ON_ERROR);`,
      ) as {
        dbpass: string;
        session_redis_auth: [string, string];
      };
      return { MOODLE_DB_PASSWORD: cfg.dbpass, MOODLE_REDIS_PASSWORD: cfg.session_redis_auth[1] };
    },
  },
  {
    what: "Nextcloud proxmox-sites.config.php (php)",
    sources: ["components/nextcloud/config.ts"],
    variables: ["NEXTCLOUD_REDIS_PASSWORD"],
    readBack: (env, { scratch }) => {
      const file = writeIn(
        scratch,
        "nextcloud.config.php",
        fillSecrets(renderNextcloudConfigPhp(nextcloudInput("bowbo")), env),
      );
      const config = phpJson(phpArrayOf(file, "nextcloud")) as { redis: { password: string } };
      return { NEXTCLOUD_REDIS_PASSWORD: config.redis.password };
    },
  },
  {
    what: "Passbolt passbolt.php (php)",
    sources: ["components/passbolt/config.ts"],
    variables: ["PASSBOLT_DB_PASSWORD", "PASSBOLT_SMTP_PASSWORD"],
    readBack: (env, { scratch }) => {
      const file = writeIn(
        scratch,
        "passbolt.php",
        fillSecrets(renderPassboltConfigPhp(passboltInput()), env),
      );
      const config = phpJson(phpArrayOf(file, "passbolt")) as {
        Datasources: { default: { password: string } };
        EmailTransport: { default: { password: string } };
      };
      return {
        PASSBOLT_DB_PASSWORD: config.Datasources.default.password,
        PASSBOLT_SMTP_PASSWORD: config.EmailTransport.default.password,
      };
    },
  },
  {
    what: "alertmanager.yml (yaml package and amtool check-config)",
    sources: ["components/monitoring/alertmanager.ts"],
    variables: ["ALERTMANAGER_SMTP_PASSWORD", "ALERTMANAGER_TELEGRAM_BOT_TOKEN"],
    readBack: (env, { scratch }) => {
      const file = writeIn(
        scratch,
        "alertmanager.yml",
        fillSecrets(renderAlertmanagerConfig(emailInput), env),
      );
      const check = run(findProgram("amtool"), ["check-config", file]);
      if (check.status !== 0) throw new Error(`amtool check-config refused the file:\n${check.output}`);
      const config = parse(fillSecrets(renderAlertmanagerConfig(emailInput), env)) as {
        global: { smtp_auth_password: string };
        receivers: { telegram_configs?: { bot_token: string }[] }[];
      };
      const telegram = config.receivers.flatMap((r) => r.telegram_configs ?? []);
      return {
        ALERTMANAGER_SMTP_PASSWORD: config.global.smtp_auth_password,
        ALERTMANAGER_TELEGRAM_BOT_TOKEN: telegram[0].bot_token,
      };
    },
  },
  {
    what: "pve-exporter pve.yml (yaml package)",
    sources: ["components/monitoring/pve.ts"],
    variables: ["PVE_EXPORTER_TOKEN_VALUE"],
    readBack: (env) => {
      const text = fillSecrets(renderPveExporterConfig({ tokenId: "prometheus@pve!monitoring" }), env);
      return {
        PVE_EXPORTER_TOKEN_VALUE: (parse(text) as { default: { token_value: string } }).default.token_value,
      };
    },
  },
];

/** Runs bash with the prelude and the client step against the test's MariaDB. */
function mariadbScript(env: Readonly<Record<string, string>>, socket: string, script: string) {
  return run("bash", ["-s"], renderPrelude(env) + script, {
    MARIADB_CLIENT: `mariadb --socket=${socket} --user=root`,
  });
}

/** Entries whose read-back needs a daemon the test starts (MariaDB, redis-server). */
export const daemonRenderers: readonly AnyStringRenderer[] = [
  {
    what: "a SQL step's string literal (real MariaDB)",
    sources: ["components/database/mariadb-shell.ts", "components/database/mariadb-sql.ts"],
    variables: ["MARIADB_REPLICATION_PASSWORD"],
    daemon: "mariadb",
    readBack: (env, { mariadbSocket }) => {
      const script = [
        "set -euo pipefail",
        renderMariaDbClientStep(),
        renderSqlStep("read back", "SELECT HEX('@@MARIADB_REPLICATION_PASSWORD@@') AS v;"),
      ].join("\n");
      const result = mariadbScript(env, mariadbSocket, `${script}\n`);
      if (result.status !== 0) throw new Error(result.output);
      const hex = result.stdout.trim().split("\n").at(-1) ?? "";
      return { MARIADB_REPLICATION_PASSWORD: Buffer.from(hex, "hex").toString("utf8") };
    },
  },
  {
    what: "an application account's password hash (real MariaDB login)",
    sources: ["components/database/mariadb-sql.ts"],
    variables: ["APP_PASSWORD"],
    daemon: "mariadb",
    readBack: (env, { mariadbSocket }) => {
      const script = renderMariaDbAppsScript({
        apps: [{ database: "secrets_app", user: "secrets_app", clientHosts: ["localhost"] }],
      });
      const created = mariadbScript(
        mariadbAppsSecrets({ secrets_app: env.APP_PASSWORD }),
        mariadbSocket,
        script,
      );
      if (created.status !== 0) throw new Error(created.output);
      const login = run("mariadb", [
        `--socket=${mariadbSocket}`,
        "--user=secrets_app",
        `--password=${env.APP_PASSWORD}`,
        "-N",
        "-B",
        "-e",
        "SELECT CURRENT_USER()",
      ]);
      return { APP_PASSWORD: login.status === 0 ? env.APP_PASSWORD : `login failed: ${login.output}` };
    },
  },
  {
    what: "Redis users.acl (#sha256 of any password; real redis-server AUTH)",
    sources: ["components/redis/redis-acl.ts"],
    variables: ["REDIS_APP_PASSWORD"],
    daemon: "redis",
    readBack: async (env, { scratch, redisWithAcl }) => {
      const secrets = redisScriptSecrets({
        admin: "admin-pw",
        monitor: "monitor-pw",
        apps: { app: env.REDIS_APP_PASSWORD },
      });
      const acl = writeIn(
        scratch,
        "users.acl",
        fillSecrets(renderRedisAcl({ apps: [{ name: "app" }] }), secrets),
      );
      const redis = await redisWithAcl(acl);
      try {
        const reply = await redis.auth("app", env.REDIS_APP_PASSWORD);
        return { REDIS_APP_PASSWORD: reply === "+OK" ? env.REDIS_APP_PASSWORD : `AUTH answered ${reply}` };
      } finally {
        await redis.stop();
      }
    },
  },
];

export interface GuardedSecret {
  /** Component files whose placeholders of `variable` this entry covers. */
  sources: readonly string[];
  variable: string;
  /** The shape the script insists on (secret-checks.ts), and why the format needs it. */
  shape: SecretShape | { check: string };
  why: string;
  /** A script that takes the variable (rendered with realistic input). */
  script(): string;
}

const monitoringInput: MonitoringGuestInput = {
  site: { client: "bowbo", stack: "prod" },
  targets: [{ job: "node", instance: "monitoring", address: "192.168.0.31", port: 9100 }],
  alerting: { email: { smarthost: "smtp.gmail.com:587", from: "a@example.com", to: ["b@example.com"] } },
};

const frappeInput: FrappeSiteInput = {
  siteName: "erp.bowbo.co.id",
  image: { name: "ghcr.io/bowbo/erpnext-custom", tag: "v15.60.1" },
  apps: ["erpnext"],
  database: { host: "192.168.0.10", name: "frappe_bowbo" },
  redis: { host: "192.168.0.12", user: "frappe" },
  bindAddress: "192.168.0.50",
  trustedProxy: "192.168.0.30",
};

const webGuestInput: WebGuestInput = {
  listenAddress: "192.168.0.20",
  trustedProxies: ["192.168.0.30"],
  sites: [{ hostname: "www.bowbo.co.id", upstreamPort: 3000 }],
  apps: [
    {
      name: "company-site",
      port: 3000,
      workingDirectory: "/srv/company-site",
      user: "webapp",
      execStart: "/usr/bin/npm run start",
      secretEnvironment: { REVALIDATE_TOKEN: "WEB_REVALIDATE_TOKEN" },
    },
  ],
};

let webPlan: WebClusterPlan | undefined;

/** The web-cluster profile's plan (two balancers with a VIP, PHP nodes with sessions in Redis). */
function webClusterPlan(): WebClusterPlan {
  if (webPlan) return webPlan;
  const scaffold = scaffoldStack({
    name: "portal",
    profile: loadProfile(resolve(__dirname, "../.."), "web-cluster"),
    subnet: "10.30.0.0/24",
  });
  const { config } = validateSiteConfig("portal", scaffold.values);
  webPlan = planWebCluster({
    name: "portal",
    cluster: config.webClusters!.portal,
    guests: siteWiring(config).guests,
    networkCidr: config.network.cidr,
    tunnelConnectorIps: ["10.30.0.21", "10.30.0.22"],
    database: { host: "10.30.0.10", port: 3306, name: "web_portal", user: "web_portal" },
    redis: { host: "10.30.0.12", port: 6379, user: "web_portal", keyPrefix: "web_portal:" },
    proxmoxNodes: config.proxmox.nodes,
  });
  return webPlan;
}

export const guardedSecrets: readonly GuardedSecret[] = [
  {
    sources: ["components/snipeit/env.ts"],
    variable: "SNIPEIT_APP_KEY",
    shape: { check: 'if ! [[ "$SNIPEIT_APP_KEY" =~ ^base64:[A-Za-z0-9+/]{43}=$ ]]; then' },
    why: "Laravel's key is base64: and 32 bytes in base64, which a single-quoted .env value holds",
    script: () => renderSnipeItScript(snipeItInput()),
  },
  {
    sources: ["components/snipeit/env.ts"],
    variable: "SNIPEIT_DB_PASSWORD",
    shape: "env-file",
    why: "phpdotenv's single-quoted value ends at the first quote and at the line's end",
    script: () => renderSnipeItScript(snipeItInput()),
  },
  {
    sources: ["components/snipeit/env.ts"],
    variable: "SNIPEIT_MAIL_PASSWORD",
    shape: "env-file",
    why: "phpdotenv's single-quoted value ends at the first quote and at the line's end",
    script: () => renderSnipeItScript(snipeItInput()),
  },
  {
    sources: ["components/monitoring/grafana.ts"],
    variable: "GRAFANA_ADMIN_PASSWORD",
    shape: "quotable",
    why: 'grafana.ini\'s """…""" value',
    script: () => renderMonitoringScript(monitoringInput),
  },
  {
    sources: ["components/monitoring/exporters.ts"],
    variable: "MARIADB_MONITOR_PASSWORD",
    shape: "quotable",
    why: "a double-quoted value of mysqld_exporter's option file",
    script: () => renderExporterScript("exporters", [mysqldExporterPart({ createUser: false })]),
  },
  {
    sources: ["components/monitoring/exporters.ts"],
    variable: "REDIS_EXPORTER_PASSWORD",
    shape: "quotable",
    why: "a double-quoted value of a systemd environment file",
    script: () => renderExporterScript("exporters", [redisExporterPart({ user: "exporter" })]),
  },
  {
    sources: ["components/frappe/compose.ts"],
    variable: "FRAPPE_REDIS_PASSWORD",
    shape: "url-safe",
    why: "the user-info of a redis:// URL and a Compose .env line",
    script: () => renderFrappeScript(frappeInput),
  },
  {
    sources: ["components/webapps/service.ts"],
    variable: "WEB_REVALIDATE_TOKEN",
    shape: "env-file",
    why: "a single-quoted value of the app's systemd environment file",
    script: () => renderWebGuestScript(webGuestInput),
  },
  {
    sources: ["components/web-cluster/haproxy.ts"],
    variable: "HAPROXY_STATS_PASSWORD",
    shape: "env-file",
    why: "haproxy.cfg's single-quoted `stats auth` argument",
    script: () => renderBalancerScript(webClusterPlan().balancers[0].input),
  },
  {
    sources: ["components/web-cluster/keepalived.ts"],
    variable: "KEEPALIVED_AUTH_PASSWORD",
    shape: "url-safe",
    why: "keepalived's auth_pass is one bare word (# and ! start comments)",
    script: () => renderBalancerScript(webClusterPlan().balancers[0].input),
  },
  {
    sources: ["components/web-cluster/plan.ts"],
    variable: "WEB_DB_PASSWORD",
    shape: "url-safe",
    why: 'a php-fpm pool\'s env[…] = "…" value or a systemd unit line',
    script: () => renderWebAppNodeScript(webClusterPlan().nodes[0].input),
  },
  {
    sources: ["components/web-cluster/plan.ts", "components/web-cluster/app-node.ts"],
    variable: "WEB_REDIS_PASSWORD",
    shape: "url-safe",
    why: "the query of PHP's Redis session.save_path",
    script: () => renderWebAppNodeScript(webClusterPlan().nodes[0].input),
  },
];

/** The bash a guarded script must hold for its variable. */
export function guardText(guarded: GuardedSecret): string {
  return typeof guarded.shape === "string"
    ? renderSecretCheck(guarded.variable, guarded.shape)
    : guarded.shape.check;
}

/** Bash's verdict on one value: the check's exit status and its message. */
export function runSecretCheck(variable: string, shape: SecretShape, value: string) {
  return run(
    "bash",
    ["-s"],
    `${renderPrelude({ [variable]: value })}${renderSecretCheck(variable, shape)}\n`,
  );
}
