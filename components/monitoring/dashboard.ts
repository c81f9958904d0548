/**
 * The site-overview Grafana dashboard, built as a TS object and written as JSON: which targets are
 * up, CPU/memory/disk per guest, MariaDB replication, Redis memory, HAProxy backends, Proxmox guests.
 * Pure: no Pulumi import.
 */
import { PROMETHEUS_DATASOURCE_UID } from "./grafana";
import { IGNORED_FILESYSTEM_TYPES, resolveThresholds, type AlertThresholds } from "./rules";
import type { SiteLabels } from "./types";

/** File name of the dashboard inside GRAFANA_DASHBOARDS_DIR. */
export const SITE_OVERVIEW_DASHBOARD_FILE = "site-overview.json";
/** Stable UID of the dashboard (links to it survive re-provisioning). */
export const SITE_OVERVIEW_DASHBOARD_UID = "proxmox-sites-overview";

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat: string;
  datasource: { type: "prometheus"; uid: string };
}

export interface DashboardPanel {
  id: number;
  type: "timeseries" | "stat";
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: "prometheus"; uid: string };
  targets: DashboardTarget[];
  fieldConfig: { defaults: Record<string, unknown>; overrides: unknown[] };
  options: Record<string, unknown>;
}

export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  timezone: string;
  schemaVersion: number;
  version: number;
  editable: boolean;
  refresh: string;
  time: { from: string; to: string };
  panels: DashboardPanel[];
  templating: { list: unknown[] };
  annotations: { list: unknown[] };
}

export interface SiteOverviewInput {
  site: SiteLabels;
  /** Alert thresholds, drawn as red lines; default the seed's. */
  thresholds?: Partial<AlertThresholds>;
}

const datasource = { type: "prometheus" as const, uid: PROMETHEUS_DATASOURCE_UID };

/** One overview panel before layout. */
export interface PanelSpec {
  type: DashboardPanel["type"];
  title: string;
  queries: [expr: string, legend: string][];
  unit: string;
  /** Red from this value on (a dashed line on time series). */
  redFrom?: number;
  max?: number;
  mappings?: unknown[];
}

function panel(spec: PanelSpec, id: number, gridPos: DashboardPanel["gridPos"]): DashboardPanel {
  const steps = [
    { color: "green", value: null },
    ...(spec.redFrom !== undefined ? [{ color: "red", value: spec.redFrom }] : []),
  ];
  return {
    id,
    type: spec.type,
    title: spec.title,
    gridPos,
    datasource,
    targets: spec.queries.map(([expr, legendFormat], i) => ({
      refId: String.fromCharCode(65 + i),
      expr,
      legendFormat,
      datasource,
    })),
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        min: 0,
        ...(spec.max !== undefined ? { max: spec.max } : {}),
        thresholds: { mode: "absolute", steps },
        ...(spec.mappings ? { mappings: spec.mappings } : {}),
        ...(spec.type === "timeseries" && spec.redFrom !== undefined
          ? { custom: { thresholdsStyle: { mode: "dashed" } } }
          : {}),
      },
      overrides: [],
    },
    options:
      spec.type === "stat"
        ? {
            colorMode: "background",
            graphMode: "none",
            reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
          }
        : {
            legend: { displayMode: "table", placement: "right", showLegend: true },
            tooltip: { mode: "multi" },
          },
  };
}

/** Every panel of the overview with its PromQL (`$__rate_interval` is Grafana's rate window). */
export function siteOverviewPanels(thresholds: Partial<AlertThresholds> = {}): PanelSpec[] {
  const t = resolveThresholds(thresholds);
  const fs = `fstype!~"${IGNORED_FILESYSTEM_TYPES.join("|")}"`;
  const upDown = [
    { type: "value", options: { "0": { text: "DOWN", color: "red" }, "1": { text: "UP", color: "green" } } },
  ];
  return [
    {
      type: "stat",
      title: "Targets up",
      queries: [["up", "{{instance}} {{job}}"]],
      unit: "none",
      mappings: upDown,
    },
    {
      type: "timeseries",
      title: "CPU busy per guest",
      queries: [
        [
          '100 * (1 - avg without (cpu, mode) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval])))',
          "{{instance}}",
        ],
      ],
      unit: "percent",
      max: 100,
      redFrom: t.cpuPercent,
    },
    {
      type: "timeseries",
      title: "Memory used per guest",
      queries: [["100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)", "{{instance}}"]],
      unit: "percent",
      max: 100,
      redFrom: t.memoryPercent,
    },
    {
      type: "timeseries",
      title: "Disk used per filesystem",
      queries: [
        [
          `100 * (1 - node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}})`,
          "{{instance}} {{mountpoint}}",
        ],
      ],
      unit: "percent",
      max: 100,
      redFrom: t.diskPercent,
    },
    {
      type: "timeseries",
      title: "MariaDB replication lag",
      queries: [
        ["mysql_slave_status_seconds_behind_master", "{{instance}} Seconds_Behind_Master"],
        [
          "mysql_heartbeat_now_timestamp_seconds - mysql_heartbeat_stored_timestamp_seconds",
          "{{instance}} heartbeat",
        ],
      ],
      unit: "s",
      redFrom: t.replicationLagSeconds,
    },
    {
      type: "stat",
      title: "MariaDB replication threads",
      queries: [
        ["mysql_slave_status_slave_io_running * mysql_slave_status_slave_sql_running", "{{instance}}"],
      ],
      unit: "none",
      mappings: [
        {
          type: "value",
          options: { "0": { text: "BROKEN", color: "red" }, "1": { text: "RUNNING", color: "green" } },
        },
      ],
    },
    {
      type: "timeseries",
      title: "Redis memory",
      queries: [
        ["redis_memory_used_bytes", "{{instance}} used"],
        ["redis_memory_max_bytes > 0", "{{instance}} maxmemory"],
      ],
      unit: "bytes",
    },
    {
      type: "stat",
      title: "HAProxy servers",
      queries: [['haproxy_server_status{state="UP"}', "{{instance}} {{proxy}}/{{server}}"]],
      unit: "none",
      mappings: upDown,
    },
    {
      type: "timeseries",
      title: "HAProxy active servers per backend",
      queries: [["haproxy_backend_active_servers", "{{instance}} {{proxy}}"]],
      unit: "none",
    },
    {
      type: "stat",
      title: "Proxmox nodes and guests",
      queries: [["pve_up * on (id) group_left (name) pve_guest_info or pve_up", "{{name}} {{id}}"]],
      unit: "none",
      mappings: upDown,
    },
  ];
}

/** A dashboard of the given panels, two to a row, each 12 × 8. */
export function buildDashboard(
  meta: { uid: string; title: string; site: SiteLabels },
  specs: readonly PanelSpec[],
): Dashboard {
  return {
    uid: meta.uid,
    title: `${meta.title} (${meta.site.client}/${meta.site.stack})`,
    tags: ["proxmox-sites", meta.site.client, meta.site.stack],
    timezone: "browser",
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    panels: specs.map((spec, i) =>
      panel(spec, i + 1, { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 }),
    ),
    templating: { list: [] },
    annotations: { list: [] },
  };
}

/** The overview dashboard object. */
export function siteOverviewDashboard(input: SiteOverviewInput): Dashboard {
  return buildDashboard(
    { uid: SITE_OVERVIEW_DASHBOARD_UID, title: "Site overview", site: input.site },
    siteOverviewPanels(input.thresholds),
  );
}

/** The dashboard JSON file text. */
export function renderSiteOverviewDashboard(input: SiteOverviewInput): string {
  return `${JSON.stringify(siteOverviewDashboard(input), null, 2)}\n`;
}
