/**
 * Alert rules with the seed's thresholds (CPU > 80 % for 5 min, memory > 90 %, disk > 85 %, a
 * target down > 1 min) plus MariaDB replication, Redis and HAProxy. Pure: no Pulumi import.
 */
import { stringify } from "yaml";
import { duration } from "./types";

/** Thresholds and hold times of the alert rules. Percentages are of the whole (0-100). */
export interface AlertThresholds {
  /** Busy CPU (all cores averaged) above this percentage alerts; seed: 80. */
  cpuPercent: number;
  /** …when it stays above for this long, in seconds; seed: 300 (5 min). */
  cpuForSeconds: number;
  /** Used memory (1 − MemAvailable/MemTotal) above this percentage alerts; seed: 90. */
  memoryPercent: number;
  /** Hold time for the memory alert in seconds; the seed names none, default 300 like CPU. */
  memoryForSeconds: number;
  /** Used space of a real filesystem (avail/size; not tmpfs/overlay) above this percentage; seed: 85. */
  diskPercent: number;
  /** Hold time for the disk alert in seconds; default 300. */
  diskForSeconds: number;
  /** A scrape target (or Redis/MariaDB/HAProxy server) down longer than this alerts; seed: 60. */
  downForSeconds: number;
  /** Replication IO or SQL thread stopped longer than this alerts; default 60. */
  replicationBrokenForSeconds: number;
  /** Replica lag above this many seconds alerts; default 300 (stack key monitoring.replicationLagSeconds). */
  replicationLagSeconds: number;
  /** Hold time for the lag alert in seconds; default 60. */
  replicationLagForSeconds: number;
}

/** The seed's thresholds (SITE-REFERENCE.md, "Alert thresholds") and our hold times. */
export const DEFAULT_ALERT_THRESHOLDS: Readonly<AlertThresholds> = {
  cpuPercent: 80,
  cpuForSeconds: 300,
  memoryPercent: 90,
  memoryForSeconds: 300,
  diskPercent: 85,
  diskForSeconds: 300,
  downForSeconds: 60,
  replicationBrokenForSeconds: 60,
  replicationLagSeconds: 300,
  replicationLagForSeconds: 60,
};

/** Names of the alerts the rules define (what e-mails and Telegram messages are titled). */
export const ALERT_NAMES = {
  cpu: "HostHighCpu",
  memory: "HostHighMemory",
  disk: "HostDiskFull",
  targetDown: "TargetDown",
  mariadbDown: "MariaDbDown",
  replicationBroken: "MariaDbReplicationBroken",
  replicationLagging: "MariaDbReplicationLagging",
  redisDown: "RedisDown",
  haproxyServerDown: "HaproxyServerDown",
  haproxyBackendDown: "HaproxyBackendDown",
} as const;

/** Severity label values; Alertmanager routes on them. */
export type Severity = "critical" | "warning";

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: Severity };
  annotations: { summary: string; description: string };
}

/** Filesystems that are not disks: excluded from the disk alert. */
export const IGNORED_FILESYSTEM_TYPES = [
  "tmpfs",
  "ramfs",
  "devtmpfs",
  "overlay",
  "squashfs",
  "nsfs",
  "fuse.lxcfs",
];

/** Checks every threshold, reporting every problem at once. */
export function resolveThresholds(overrides: Partial<AlertThresholds> = {}): AlertThresholds {
  const t: AlertThresholds = { ...DEFAULT_ALERT_THRESHOLDS, ...overrides };
  const problems: string[] = [];
  for (const key of ["cpuPercent", "memoryPercent", "diskPercent"] as const) {
    if (!(t[key] > 0 && t[key] < 100)) problems.push(`${key}: ${t[key]} must be between 0 and 100`);
  }
  for (const key of Object.keys(t) as (keyof AlertThresholds)[]) {
    if (key.endsWith("Seconds") && !(Number.isInteger(t[key]) && t[key] >= 0)) {
      problems.push(`${key}: ${t[key]} must be a whole number of seconds ≥ 0`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid alert thresholds:\n  ${problems.join("\n  ")}`);
  return t;
}

function rule(
  alert: string,
  severity: Severity,
  expr: string,
  forSeconds: number,
  summary: string,
  description: string,
): AlertRule {
  return {
    alert,
    expr,
    for: duration(forSeconds),
    labels: { severity },
    annotations: { summary, description },
  };
}

/** The rule groups (Prometheus rule-file structure) for the given thresholds. */
export function alertRuleGroups(overrides: Partial<AlertThresholds> = {}) {
  const t = resolveThresholds(overrides);
  const fs = `fstype!~"${IGNORED_FILESYSTEM_TYPES.join("|")}"`;
  const lag = t.replicationLagSeconds;
  const host: AlertRule[] = [
    rule(
      ALERT_NAMES.cpu,
      "warning",
      `100 * (1 - avg without (cpu, mode) (rate(node_cpu_seconds_total{mode="idle"}[2m]))) > ${t.cpuPercent}`,
      t.cpuForSeconds,
      `CPU above ${t.cpuPercent} % on {{ $labels.instance }}`,
      `{{ $labels.instance }} has used {{ $value | printf "%.0f" }} % CPU for more than ${duration(t.cpuForSeconds)}.`,
    ),
    rule(
      ALERT_NAMES.memory,
      "warning",
      `100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > ${t.memoryPercent}`,
      t.memoryForSeconds,
      `Memory above ${t.memoryPercent} % on {{ $labels.instance }}`,
      `{{ $labels.instance }} uses {{ $value | printf "%.0f" }} % of its memory (MemAvailable).`,
    ),
    rule(
      ALERT_NAMES.disk,
      "warning",
      `100 * (1 - node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}) > ${t.diskPercent}`,
      t.diskForSeconds,
      `Disk above ${t.diskPercent} % on {{ $labels.instance }} {{ $labels.mountpoint }}`,
      `{{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | printf "%.0f" }} % full.`,
    ),
    rule(
      ALERT_NAMES.targetDown,
      "critical",
      "up == 0",
      t.downForSeconds,
      `{{ $labels.instance }} ({{ $labels.job }}) is down`,
      `Prometheus cannot scrape the {{ $labels.job }} exporter of {{ $labels.instance }} for more than ${duration(t.downForSeconds)}.`,
    ),
  ];
  const services: AlertRule[] = [
    rule(
      ALERT_NAMES.mariadbDown,
      "critical",
      "mysql_up == 0",
      t.downForSeconds,
      `MariaDB on {{ $labels.instance }} is down`,
      `mysqld_exporter on {{ $labels.instance }} cannot reach MariaDB.`,
    ),
    rule(
      ALERT_NAMES.replicationBroken,
      "critical",
      // 0 when either thread is not running (exporter: Yes → 1, No/Connecting → 0).
      "mysql_slave_status_slave_io_running * mysql_slave_status_slave_sql_running == 0",
      t.replicationBrokenForSeconds,
      `MariaDB replication broken on {{ $labels.instance }}`,
      `The replication IO or SQL thread of {{ $labels.instance }} (primary {{ $labels.master_host }}) is not running.`,
    ),
    rule(
      ALERT_NAMES.replicationLagging,
      "warning",
      // Seconds_Behind_Master reads 0 when idle or just restarted; a heartbeat row, if collected, is the truth.
      `max by (job, instance) (mysql_slave_status_seconds_behind_master) > ${lag}` +
        ` or max by (job, instance) (mysql_heartbeat_now_timestamp_seconds - mysql_heartbeat_stored_timestamp_seconds) > ${lag}`,
      t.replicationLagForSeconds,
      `MariaDB replica {{ $labels.instance }} lags more than ${lag} s`,
      `{{ $labels.instance }} is {{ $value | printf "%.0f" }} s behind its primary.`,
    ),
    rule(
      ALERT_NAMES.redisDown,
      "critical",
      "redis_up == 0",
      t.downForSeconds,
      `Redis on {{ $labels.instance }} is down`,
      `redis_exporter on {{ $labels.instance }} cannot reach Redis.`,
    ),
    rule(
      ALERT_NAMES.haproxyServerDown,
      "warning",
      'haproxy_server_status{state="DOWN"} == 1',
      t.downForSeconds,
      `HAProxy server {{ $labels.proxy }}/{{ $labels.server }} down on {{ $labels.instance }}`,
      `HAProxy on {{ $labels.instance }} marks server {{ $labels.server }} of backend {{ $labels.proxy }} DOWN.`,
    ),
    rule(
      ALERT_NAMES.haproxyBackendDown,
      "critical",
      'haproxy_backend_status{state="DOWN"} == 1',
      t.downForSeconds,
      `HAProxy backend {{ $labels.proxy }} has no server up on {{ $labels.instance }}`,
      `Every server of backend {{ $labels.proxy }} on {{ $labels.instance }} is down: the service is unavailable.`,
    ),
  ];
  return {
    groups: [
      { name: "proxmox-sites-hosts", rules: host },
      { name: "proxmox-sites-services", rules: services },
    ],
  };
}

/** The rule file text (PROMETHEUS_RULES_PATH). */
export function renderAlertRules(overrides: Partial<AlertThresholds> = {}): string {
  return `# Rendered by proxmox-sites (monitoring): alert rules.\n${stringify(alertRuleGroups(overrides), { lineWidth: 0 })}`;
}
