/**
 * Inputs shared by the monitoring renderers. Pure: no Pulumi import.
 */

/** Exporter kinds the site's wiring produces; any other job name is scraped at /metrics. */
export type ExporterJob = "node" | "mysqld" | "redis" | "haproxy" | "proxmox";

/** One thing Prometheus scrapes, derived from the site's wiring (never a hand-kept list). */
export interface ScrapeTarget {
  /**
   * Scrape job: "node" (node_exporter on a guest or the host), "mysqld", "redis", "haproxy",
   * "proxmox" (the Proxmox API, scraped through pve-exporter on the monitoring guest) or another
   * job name (scraped at /metrics).
   */
  job: ExporterJob | (string & Record<never, never>);
  /** Guest (or host) hostname; becomes the `instance` label, so alerts name the guest. */
  instance: string;
  /** IPv4/IPv6 address the exporter listens on; for "proxmox", the Proxmox host's API address. */
  address: string;
  /** Exporter port (see ports.ts); for "proxmox", the Proxmox API port (8006). */
  port: number;
  /** Extra target labels (not `job`, `instance` or `__*`). */
  labels?: Readonly<Record<string, string>>;
}

/** Labels naming the site; every alert and every series sent out carries them. */
export interface SiteLabels {
  /** Client (customer) name, e.g. "bowbo". */
  client: string;
  /** Pulumi stack name, e.g. "prod". */
  stack: string;
}

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws when a label name is not a valid Prometheus label name. */
export function assertLabelName(name: string, where: string): void {
  if (!labelName.test(name) || name.startsWith("__")) {
    throw new Error(
      `${where}: "${name}" is not a valid label name (letters, digits, _; not starting with __)`,
    );
  }
}

/** Formats seconds as a Prometheus/Alertmanager duration: 300 → "5m", 3600 → "1h", 61 → "61s". */
export function duration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new Error(`duration: ${seconds} is not a whole number of seconds`);
  if (seconds === 0) return "0s";
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
