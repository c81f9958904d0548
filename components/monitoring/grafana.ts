/**
 * Grafana on the monitoring guest: grafana.ini (admin password from a placeholder), the Prometheus
 * data source and a file-based dashboard provider. Pure: no Pulumi import.
 */
import { stringify } from "yaml";
import { GRAFANA_DASHBOARDS_DIR } from "./paths";
import { GRAFANA_PORT, PROMETHEUS_PORT } from "./ports";

/** Placeholder for Grafana's admin password (filled from the stdin prelude). */
export const GRAFANA_ADMIN_PASSWORD_PLACEHOLDER = "@@GRAFANA_ADMIN_PASSWORD@@";
/** UID of the provisioned data source; dashboards reference it. */
export const PROMETHEUS_DATASOURCE_UID = "prometheus";

export interface GrafanaInput {
  /** Public hostname Grafana is reached at through the tunnel (e.g. grafana.example.com); sets root_url. */
  publicHostname?: string;
  /** Address Grafana listens on; default 0.0.0.0 (the tunnel guest connects to it). */
  httpAddress?: string;
  /** Port; default 3000. */
  httpPort?: number;
  /** Admin login name; default "admin". The password comes from GRAFANA_ADMIN_PASSWORD. */
  adminUser?: string;
  /** URL Grafana reads Prometheus at; default http://127.0.0.1:9090. */
  prometheusUrl?: string;
  /** Scrape interval of that Prometheus in seconds (Grafana's minimum step); default 15. */
  scrapeIntervalSeconds?: number;
}

/**
 * grafana.ini. The password is in triple quotes (Grafana's ini syntax for values with # or ;). It only
 * seeds the admin account on first start; the provisioning script resets it when this file changes.
 */
export function renderGrafanaIni(input: GrafanaInput = {}): string {
  const adminUser = input.adminUser ?? "admin";
  if (!/^[A-Za-z0-9._-]+$/.test(adminUser))
    throw new Error(`grafana adminUser: "${adminUser}" is not a plain login`);
  const https = input.publicHostname !== undefined;
  if (https && !/^[a-z0-9.-]+$/.test(input.publicHostname ?? "")) {
    throw new Error(`grafana publicHostname: "${input.publicHostname}" is not a hostname`);
  }
  const lines = [
    "# Rendered by proxmox-sites (monitoring)",
    "[server]",
    `http_addr = ${input.httpAddress ?? "0.0.0.0"}`,
    `http_port = ${input.httpPort ?? GRAFANA_PORT}`,
    ...(https ? [`domain = ${input.publicHostname}`, `root_url = https://${input.publicHostname}/`] : []),
    "",
    "[security]",
    `admin_user = ${adminUser}`,
    `admin_password = """${GRAFANA_ADMIN_PASSWORD_PLACEHOLDER}"""`,
    "disable_gravatar = true",
    `cookie_secure = ${https}`,
    "",
    "[users]",
    "allow_sign_up = false",
    "",
    "[auth.anonymous]",
    "enabled = false",
    "",
    "[analytics]",
    "reporting_enabled = false",
    "check_for_updates = false",
    "",
  ];
  return lines.join("\n");
}

/** Data source provisioning file: Prometheus, the default. */
export function renderGrafanaDatasource(input: GrafanaInput = {}): string {
  const config = {
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        type: "prometheus",
        uid: PROMETHEUS_DATASOURCE_UID,
        access: "proxy",
        url: input.prometheusUrl ?? `http://127.0.0.1:${PROMETHEUS_PORT}`,
        isDefault: true,
        editable: false,
        jsonData: { timeInterval: `${input.scrapeIntervalSeconds ?? 15}s` },
      },
    ],
  };
  return `# Rendered by proxmox-sites (monitoring)\n${stringify(config)}`;
}

/** Dashboard provider provisioning file: loads every JSON file in GRAFANA_DASHBOARDS_DIR. */
export function renderGrafanaDashboardProvider(): string {
  const config = {
    apiVersion: 1,
    providers: [
      {
        name: "proxmox-sites",
        folder: "Site",
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: GRAFANA_DASHBOARDS_DIR },
      },
    ],
  };
  return `# Rendered by proxmox-sites (monitoring)\n${stringify(config)}`;
}
