/**
 * The monitoring guest's provisioning script: Prometheus, Alertmanager, Grafana (from Grafana's APT
 * repository, key pinned by fingerprint), prometheus-pve-exporter (PyPI, in a venv) and node_exporter;
 * every file written only when it changed; configs checked (promtool/amtool) before a reload.
 * Pure: no Pulumi import.
 */
import { renderFileStep, renderScript, type GuestFile } from "../proxmox/script";
import { placeholdersIn } from "../proxmox/secret-forms";
import { renderAlertmanagerConfig, type AlertmanagerInput } from "./alertmanager";
import { renderSiteOverviewDashboard, SITE_OVERVIEW_DASHBOARD_FILE } from "./dashboard";
import { DATABASE_DASHBOARD_FILE, renderDatabaseDashboard } from "./dashboard-database";
import { nodeExporterPart } from "./exporters";
import {
  renderGrafanaDashboardProvider,
  renderGrafanaDatasource,
  renderGrafanaIni,
  type GrafanaInput,
} from "./grafana";
import { renderSecretChecks } from "../proxmox/secret-checks";
import { aptInstallMissing, enableAndStart } from "./packages";
import * as paths from "./paths";
import { ALERTMANAGER_PORT, GRAFANA_PORT, PROMETHEUS_PORT, PVE_EXPORTER_PORT } from "./ports";
import { renderPrometheusConfig } from "./prometheus";
import { renderPveExporterConfig, renderPveExporterUnit, type PveExporterInput } from "./pve";
import { renderAlertRules, type AlertThresholds } from "./rules";
import type { ScrapeTarget, SiteLabels } from "./types";

/** Fingerprint of the key that signs Grafana's APT repository (rotated 2023; check apt.grafana.com). */
export const GRAFANA_APT_KEY_FINGERPRINT = "B53AE77BADB630A683046005963FA27710458545";
/** prometheus-pve-exporter version installed from PyPI (Debian 12 does not package it). */
export const PVE_EXPORTER_VERSION = "3.10.2";

export interface MonitoringGuestInput {
  site: SiteLabels;
  /** Every exporter to scrape, from the site's wiring (include the monitoring guest's own node target). */
  targets: readonly ScrapeTarget[];
  /** Alert thresholds; default the seed's (DEFAULT_ALERT_THRESHOLDS). */
  thresholds?: Partial<AlertThresholds>;
  /** E-mail (and optional Telegram) routing. */
  alerting: Omit<AlertmanagerInput, "site">;
  grafana?: GrafanaInput;
  /** pve-exporter's API token id; required when a target has job "proxmox". */
  pveExporter?: PveExporterInput & {
    /** PyPI version to install; default PVE_EXPORTER_VERSION. */
    version?: string;
  };
  /** Address Prometheus and Alertmanager listen on (Grafana reads Prometheus there); default 127.0.0.1. */
  localAddress?: string;
  /** Scrape and rule-evaluation interval, seconds; default 15. */
  scrapeIntervalSeconds?: number;
  /** How long Prometheus keeps samples, days; default 30. */
  retentionDays?: number;
  /** Fingerprint Grafana's repository key must have; default GRAFANA_APT_KEY_FINGERPRINT. */
  grafanaAptKeyFingerprint?: string;
  /** Grafana's APT repository root (a mirror's); default GRAFANA_APT_URL. */
  grafanaAptUrl?: string;
  /** Where the repository's armored signing key is fetched; default `<grafanaAptUrl>/gpg.key`. */
  grafanaAptKeyUrl?: string;
}

/** Grafana's own APT repository. */
export const GRAFANA_APT_URL = "https://apt.grafana.com";

const grafanaKeyring = "/etc/apt/keyrings/grafana.asc";

function needsPve(input: MonitoringGuestInput): boolean {
  const has = input.targets.some((t) => t.job === "proxmox");
  if (has && !input.pveExporter) throw new Error("monitoring: a proxmox target needs pveExporter.tokenId");
  return has && input.pveExporter !== undefined;
}

/** Every file the monitoring guest gets (with the flags their changes set for the script's body). */
export function monitoringGuestFiles(input: MonitoringGuestInput): GuestFile[] {
  const scrape = input.scrapeIntervalSeconds ?? 15;
  const retention = input.retentionDays ?? 30;
  const local = input.localAddress ?? "127.0.0.1";
  if (!Number.isInteger(retention) || retention < 1)
    throw new Error(`monitoring retentionDays: ${retention} must be ≥ 1`);
  const promArgs = [
    `--config.file=${paths.PROMETHEUS_CONFIG_PATH}`,
    `--web.listen-address=${local}:${PROMETHEUS_PORT}`,
    `--storage.tsdb.retention.time=${retention}d`,
  ];
  const amArgs = [
    `--config.file=${paths.ALERTMANAGER_CONFIG_PATH}`,
    `--web.listen-address=${local}:${ALERTMANAGER_PORT}`,
    // A single Alertmanager: no gossip port.
    "--cluster.listen-address=",
  ];
  const files: GuestFile[] = [
    {
      path: "/etc/default/prometheus",
      content: `ARGS="${promArgs.join(" ")}"\n`,
      onChange: "prometheus_restart=1",
    },
    {
      path: paths.PROMETHEUS_CONFIG_PATH,
      content: renderPrometheusConfig({
        site: input.site,
        targets: input.targets,
        scrapeIntervalSeconds: scrape,
        evaluationIntervalSeconds: scrape,
        alertmanagerAddress: `${local}:${ALERTMANAGER_PORT}`,
        pveExporterAddress: input.pveExporter?.listenAddress ?? `127.0.0.1:${PVE_EXPORTER_PORT}`,
      }),
      onChange: "prometheus_reload=1",
    },
    {
      path: paths.PROMETHEUS_RULES_PATH,
      content: renderAlertRules(input.thresholds),
      onChange: "prometheus_reload=1",
    },
    {
      path: "/etc/default/prometheus-alertmanager",
      content: `ARGS="${amArgs.join(" ")}"\n`,
      onChange: "alertmanager_restart=1",
    },
    {
      path: paths.ALERTMANAGER_CONFIG_PATH,
      content: renderAlertmanagerConfig({ ...input.alerting, site: input.site }),
      mode: "0640",
      owner: "root:prometheus",
      onChange: "alertmanager_reload=1",
    },
  ];
  if (needsPve(input) && input.pveExporter) {
    files.push(
      {
        path: paths.PVE_EXPORTER_CONFIG_PATH,
        content: renderPveExporterConfig(input.pveExporter),
        mode: "0640",
        owner: "root:prometheus",
        onChange: "pve_restart=1",
      },
      {
        path: paths.PVE_EXPORTER_UNIT_PATH,
        content: renderPveExporterUnit(input.pveExporter),
        onChange: "systemctl daemon-reload\npve_restart=1",
      },
    );
  }
  const grafana = {
    scrapeIntervalSeconds: scrape,
    prometheusUrl: `http://${local}:${PROMETHEUS_PORT}`,
    ...input.grafana,
  };
  files.push(
    {
      path: paths.GRAFANA_INI_PATH,
      content: renderGrafanaIni(grafana),
      mode: "0640",
      owner: "root:grafana",
      onChange: "grafana_restart=1\ngrafana_password=1",
    },
    {
      path: paths.GRAFANA_DATASOURCE_PATH,
      content: renderGrafanaDatasource(grafana),
      mode: "0640",
      owner: "root:grafana",
      onChange: "grafana_restart=1",
    },
    {
      path: paths.GRAFANA_DASHBOARD_PROVIDER_PATH,
      content: renderGrafanaDashboardProvider(),
      mode: "0640",
      owner: "root:grafana",
      onChange: "grafana_restart=1",
    },
    // The provider rescans its directory every minute: a dashboard change needs no restart.
    {
      path: `${paths.GRAFANA_DASHBOARDS_DIR}/${SITE_OVERVIEW_DASHBOARD_FILE}`,
      content: renderSiteOverviewDashboard({ site: input.site, thresholds: input.thresholds }),
    },
    // The report's database dashboard, where there is a MariaDB exporter to read.
    ...(input.targets.some((t) => t.job === "mysqld")
      ? [
          {
            path: `${paths.GRAFANA_DASHBOARDS_DIR}/${DATABASE_DASHBOARD_FILE}`,
            content: renderDatabaseDashboard({ site: input.site, thresholds: input.thresholds }),
          },
        ]
      : []),
  );
  return files;
}

const mirrorUrl = /^https:\/\/[A-Za-z0-9.:/_-]+[^/]$/;

function grafanaRepository(fingerprint: string, url: string, keyUrl: string): string {
  if (!/^[0-9A-F]{40}$/.test(fingerprint))
    throw new Error(`grafana key fingerprint: "${fingerprint}" is not 40 hex digits`);
  for (const [what, value] of [
    ["repository URL", url],
    ["key URL", keyUrl],
  ])
    if (!mirrorUrl.test(value))
      throw new Error(`grafana ${what}: "${value}" is not an https URL without a trailing slash`);
  const list: GuestFile = {
    path: "/etc/apt/sources.list.d/grafana.list",
    content: `deb [signed-by=${grafanaKeyring}] ${url} stable main\n`,
    onChange: "apt-get update -qq",
  };
  return [
    "# Grafana is not packaged by Debian: its own repository, key checked against the pinned fingerprint.",
    `if [ ! -s "\${PROVISION_ROOT:-}${grafanaKeyring}" ]; then`,
    '  key="$(mktemp)"',
    '  gnupg_home="$(mktemp -d)"',
    `  curl -fsSL --retry 3 ${keyUrl} -o "$key"`,
    `  if ! GNUPGHOME="$gnupg_home" gpg --batch --show-keys --with-colons "$key" | grep -q '^fpr:*${fingerprint}:'; then`,
    "    echo \"Grafana's repository key does not have fingerprint " + fingerprint + '" >&2',
    "    exit 1",
    "  fi",
    `  install -D -m 0644 "$key" "\${PROVISION_ROOT:-}${grafanaKeyring}"`,
    '  rm -rf "$key" "$gnupg_home"',
    "fi",
    renderFileStep(list),
  ].join("\n");
}

function pveExporterInstall(version: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`pve-exporter version: "${version}" is not x.y.z`);
  // Under PROVISION_ROOT like every file the script writes (tests run it into a scratch directory).
  const venv = `\${PROVISION_ROOT:-}${paths.PVE_EXPORTER_VENV}`;
  return [
    "# prometheus-pve-exporter is not packaged by Debian 12: a pinned release from PyPI in its own venv.",
    `if ! "${venv}/bin/pip" show prometheus-pve-exporter 2>/dev/null | grep -qx 'Version: ${version}'; then`,
    `  python3 -m venv "${venv}"`,
    `  "${venv}/bin/pip" install --quiet --disable-pip-version-check "prometheus-pve-exporter==${version}"`,
    "  pve_restart=1",
    "fi",
  ].join("\n");
}

/** Names of the variables the stdin prelude must export for the monitoring script. */
export function monitoringScriptEnv(input: MonitoringGuestInput): string[] {
  const names = new Set<string>(["GRAFANA_ADMIN_PASSWORD"]);
  for (const f of monitoringGuestFiles(input)) for (const name of placeholdersIn(f.content)) names.add(name);
  return [...names].sort();
}

/** The monitoring guest's idempotent provisioning script (run as `pct exec <vmid> -- bash -s`). */
export function renderMonitoringScript(input: MonitoringGuestInput): string {
  const pve = needsPve(input);
  const env = monitoringScriptEnv(input);
  const texts = monitoringGuestFiles(input).map((f) => f.content);
  const raw = new Set(texts.flatMap((t) => placeholdersIn(t, "raw")));
  const yamlOnly = new Set(texts.flatMap((t) => placeholdersIn(t, "yaml")).filter((n) => !raw.has(n)));
  const packages = [
    "ca-certificates",
    "curl",
    "gnupg",
    "prometheus",
    "prometheus-alertmanager",
    ...nodeExporterPart().packages,
    ...(pve ? ["python3-venv"] : []),
  ];
  const flags = [
    "prometheus_restart",
    "prometheus_reload",
    "alertmanager_restart",
    "alertmanager_reload",
    "grafana_restart",
    "grafana_password",
    ...(pve ? ["pve_restart"] : []),
  ];
  const setup = [
    // Only the secrets pasted as they are: a YAML-form placeholder holds any string.
    renderSecretChecks(
      env.filter((name) => !yamlOnly.has(name)),
      "quotable",
    ),
    ...flags.map((f) => `${f}=0`),
    aptInstallMissing(packages),
    grafanaRepository(
      input.grafanaAptKeyFingerprint ?? GRAFANA_APT_KEY_FINGERPRINT,
      input.grafanaAptUrl ?? GRAFANA_APT_URL,
      input.grafanaAptKeyUrl ?? `${input.grafanaAptUrl ?? GRAFANA_APT_URL}/gpg.key`,
    ),
    aptInstallMissing(["grafana"]),
    ...(pve ? [pveExporterInstall(input.pveExporter?.version ?? PVE_EXPORTER_VERSION)] : []),
  ];
  const grafanaCli = `grafana cli --homepath /usr/share/grafana --config ${paths.GRAFANA_INI_PATH}`;
  const body = [
    "# Check before any reload: a bad file stops the script and the running daemons keep their config.",
    // Checks prometheus.yml and every rule file it names.
    `promtool check config "\${PROVISION_ROOT:-}${paths.PROMETHEUS_CONFIG_PATH}" >/dev/null`,
    `amtool check-config "\${PROVISION_ROOT:-}${paths.ALERTMANAGER_CONFIG_PATH}" >/dev/null`,
    nodeExporterPart().body,
    enableAndStart("prometheus"),
    'if [ "$prometheus_restart" = 1 ]; then systemctl restart prometheus; elif [ "$prometheus_reload" = 1 ]; then systemctl reload prometheus; fi',
    enableAndStart("prometheus-alertmanager"),
    'if [ "$alertmanager_restart" = 1 ]; then systemctl restart prometheus-alertmanager; elif [ "$alertmanager_reload" = 1 ]; then systemctl reload prometheus-alertmanager; fi',
    ...(pve
      ? [
          enableAndStart("prometheus-pve-exporter"),
          'if [ "$pve_restart" = 1 ]; then systemctl restart prometheus-pve-exporter; fi',
        ]
      : []),
    enableAndStart("grafana-server"),
    'if [ "$grafana_restart" = 1 ]; then systemctl restart grafana-server; fi',
    'if [ "$grafana_password" = 1 ]; then',
    "  # admin_password in grafana.ini only seeds a new database: set it in the database too (rotation).",
    `  for _ in $(seq 1 60); do curl -fsS -o /dev/null http://127.0.0.1:${GRAFANA_PORT}/api/health && break; sleep 1; done`,
    `  printf '%s\\n' "$GRAFANA_ADMIN_PASSWORD" | runuser -u grafana -- ${grafanaCli} admin reset-admin-password --password-from-stdin >/dev/null`,
    "fi",
  ];
  return renderScript({
    summary: `Monitoring guest of ${input.site.client}/${input.site.stack}: Prometheus, Alertmanager, Grafana, exporters`,
    requiredEnv: env,
    setup: setup.join("\n"),
    files: monitoringGuestFiles(input),
    body: body.join("\n"),
  });
}
