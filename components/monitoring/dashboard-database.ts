/**
 * The database dashboard of the site report: queries per second, slow queries, connections, and
 * replication lag and state, from prometheus-mysqld-exporter (run with --collect.slave_status).
 * Pure: no Pulumi import.
 */
import { buildDashboard, type Dashboard, type PanelSpec } from "./dashboard";
import { resolveThresholds, type AlertThresholds } from "./rules";
import type { SiteLabels } from "./types";

/** File name of the dashboard inside GRAFANA_DASHBOARDS_DIR. */
export const DATABASE_DASHBOARD_FILE = "database.json";
/** Stable UID of the dashboard. */
export const DATABASE_DASHBOARD_UID = "proxmox-sites-database";

export interface DatabaseDashboardInput {
  site: SiteLabels;
  /** The replication lag threshold is drawn as a red line; default the seed's. */
  thresholds?: Partial<AlertThresholds>;
}

const runningStopped = [
  {
    type: "value",
    options: { "0": { text: "STOPPED", color: "red" }, "1": { text: "RUNNING", color: "green" } },
  },
];

/** Every panel of the database dashboard with its PromQL (`$__rate_interval` is Grafana's window). */
export function databasePanels(thresholds: Partial<AlertThresholds> = {}): PanelSpec[] {
  const t = resolveThresholds(thresholds);
  return [
    {
      type: "timeseries",
      title: "Queries per second",
      queries: [
        ["rate(mysql_global_status_queries[$__rate_interval])", "{{instance}} all statements"],
        ["rate(mysql_global_status_questions[$__rate_interval])", "{{instance}} from clients"],
      ],
      unit: "reqps",
    },
    {
      type: "timeseries",
      title: "Slow queries per second",
      queries: [["rate(mysql_global_status_slow_queries[$__rate_interval])", "{{instance}}"]],
      unit: "reqps",
    },
    {
      type: "timeseries",
      title: "Connections",
      queries: [
        ["mysql_global_status_threads_connected", "{{instance}} connected"],
        ["mysql_global_status_threads_running", "{{instance}} running"],
        ["mysql_global_variables_max_connections", "{{instance}} max_connections"],
      ],
      unit: "none",
    },
    {
      type: "timeseries",
      title: "Connections used",
      queries: [
        [
          "100 * mysql_global_status_threads_connected / mysql_global_variables_max_connections",
          "{{instance}}",
        ],
      ],
      unit: "percent",
      max: 100,
      redFrom: 80,
    },
    {
      type: "timeseries",
      title: "Aborted connections per second",
      queries: [
        ["rate(mysql_global_status_aborted_connects[$__rate_interval])", "{{instance}} failed logins"],
        ["rate(mysql_global_status_aborted_clients[$__rate_interval])", "{{instance}} dropped clients"],
      ],
      unit: "reqps",
    },
    {
      type: "timeseries",
      title: "Replication lag",
      queries: [["mysql_slave_status_seconds_behind_master", "{{instance}}"]],
      unit: "s",
      redFrom: t.replicationLagSeconds,
    },
    {
      type: "stat",
      title: "Replication state (IO and SQL threads)",
      queries: [
        ["mysql_slave_status_slave_io_running", "{{instance}} IO"],
        ["mysql_slave_status_slave_sql_running", "{{instance}} SQL"],
      ],
      unit: "none",
      mappings: runningStopped,
    },
    {
      type: "stat",
      title: "MariaDB up",
      queries: [["mysql_up", "{{instance}}"]],
      unit: "none",
      mappings: [
        {
          type: "value",
          options: { "0": { text: "DOWN", color: "red" }, "1": { text: "UP", color: "green" } },
        },
      ],
    },
  ];
}

export function databaseDashboard(input: DatabaseDashboardInput): Dashboard {
  return buildDashboard(
    { uid: DATABASE_DASHBOARD_UID, title: "Databases", site: input.site },
    databasePanels(input.thresholds),
  );
}

/** The dashboard JSON file text. */
export function renderDatabaseDashboard(input: DatabaseDashboardInput): string {
  return `${JSON.stringify(databaseDashboard(input), null, 2)}\n`;
}
