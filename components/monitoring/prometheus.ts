/**
 * prometheus.yml for the monitoring guest: one scrape job per exporter kind, targets from the
 * site's wiring, `instance` = the guest's hostname. Pure: no Pulumi import.
 */
import { stringify } from "yaml";
import { PROMETHEUS_RULE_FILES_GLOB } from "./paths";
import { ALERTMANAGER_PORT, PVE_API_PORT, PVE_EXPORTER_PORT } from "./ports";
import { assertLabelName, duration, type ScrapeTarget, type SiteLabels } from "./types";

export interface PrometheusConfigInput {
  /** Site labels, sent as external_labels with every alert. */
  site: SiteLabels;
  /** Every exporter to scrape, derived from the site's wiring. */
  targets: readonly ScrapeTarget[];
  /** Scrape interval in seconds; default 15. */
  scrapeIntervalSeconds?: number;
  /** Rule evaluation interval in seconds; default 15. */
  evaluationIntervalSeconds?: number;
  /**
   * Rule files, relative to the directory of prometheus.yml (Prometheus resolves them so), so the
   * same text is checked by `promtool check config` in a scratch directory; default ["rules/*.yml"].
   */
  ruleFiles?: readonly string[];
  /** host:port of Alertmanager; default 127.0.0.1:9093 (same guest). */
  alertmanagerAddress?: string;
  /** host:port of pve-exporter; default 127.0.0.1:9221 (same guest). */
  pveExporterAddress?: string;
}

/** Job order in the file: the known exporter kinds first, then any other job by name. */
const knownJobs = ["node", "mysqld", "redis", "haproxy", "proxmox"];
const jobName = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;

/** Rejects targets that would make an invalid or ambiguous config; every problem at once. */
export function validateScrapeTargets(targets: readonly ScrapeTarget[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, t] of targets.entries()) {
    const where = `targets[${i}] (${t.job}/${t.instance})`;
    if (!jobName.test(t.job)) problems.push(`${where}: job "${t.job}" must match ${jobName}`);
    if (!t.instance || /\s/.test(t.instance))
      problems.push(`${where}: instance must be a non-empty hostname`);
    if (!t.address || /[\s/]/.test(t.address))
      problems.push(`${where}: address "${t.address}" is not an address`);
    if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)
      problems.push(`${where}: port ${t.port} not in 1-65535`);
    if (t.job === "proxmox" && t.port !== PVE_API_PORT) {
      problems.push(`${where}: pve-exporter always connects to the API on ${PVE_API_PORT}, found ${t.port}`);
    }
    for (const name of Object.keys(t.labels ?? {})) {
      try {
        assertLabelName(name, where);
        if (name === "job" || name === "instance")
          throw new Error(`${where}: label "${name}" is set by the renderer`);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    const key = `${t.job}\u0000${t.instance}`;
    if (seen.has(key)) problems.push(`${where}: another target has the same job and instance`);
    seen.add(key);
  }
  if (problems.length > 0) throw new Error(`invalid scrape targets:\n  ${problems.join("\n  ")}`);
}

function hostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

function staticConfigs(targets: readonly ScrapeTarget[], proxmox: boolean) {
  return [...targets]
    .sort((a, b) => a.instance.localeCompare(b.instance))
    .map((t) => ({
      // For "proxmox" the target is the host itself: relabelled into ?target= below.
      targets: [proxmox ? t.address : hostPort(t.address, t.port)],
      labels: { ...Object.fromEntries(Object.entries(t.labels ?? {}).sort()), instance: t.instance },
    }));
}

function jobOrder(a: string, b: string): number {
  const ia = knownJobs.indexOf(a);
  const ib = knownJobs.indexOf(b);
  if (ia !== ib) return (ia < 0 ? knownJobs.length : ia) - (ib < 0 ? knownJobs.length : ib);
  return a.localeCompare(b);
}

/** The scrape_configs list: one job per exporter kind. */
export function scrapeConfigs(targets: readonly ScrapeTarget[], pveExporterAddress: string) {
  validateScrapeTargets(targets);
  const jobs = [...new Set(targets.map((t) => t.job))].sort(jobOrder);
  return jobs.map((job) => {
    const own = targets.filter((t) => t.job === job);
    if (job !== "proxmox") return { job_name: job, static_configs: staticConfigs(own, false) };
    return {
      job_name: job,
      metrics_path: "/pve",
      params: { module: ["default"], cluster: ["1"], node: ["1"] },
      static_configs: staticConfigs(own, true),
      relabel_configs: [
        { source_labels: ["__address__"], target_label: "__param_target" },
        { target_label: "__address__", replacement: pveExporterAddress },
      ],
    };
  });
}

/** prometheus.yml text. */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const scrapeSeconds = input.scrapeIntervalSeconds ?? 15;
  const evaluationSeconds = input.evaluationIntervalSeconds ?? 15;
  const config = {
    global: {
      scrape_interval: duration(scrapeSeconds),
      scrape_timeout: duration(Math.min(10, scrapeSeconds)),
      evaluation_interval: duration(evaluationSeconds),
      external_labels: { client: input.site.client, stack: input.site.stack },
    },
    rule_files: [...(input.ruleFiles ?? [PROMETHEUS_RULE_FILES_GLOB])],
    alerting: {
      alertmanagers: [
        { static_configs: [{ targets: [input.alertmanagerAddress ?? `127.0.0.1:${ALERTMANAGER_PORT}`] }] },
      ],
    },
    scrape_configs: scrapeConfigs(
      input.targets,
      input.pveExporterAddress ?? `127.0.0.1:${PVE_EXPORTER_PORT}`,
    ),
  };
  return `# Rendered by proxmox-sites (monitoring): targets come from the site's wiring.\n${stringify(config)}`;
}
