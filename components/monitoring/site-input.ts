/**
 * The monitoring tier's inputs: the monitoring guest's renderer input from its stack key, a few site
 * values and the site's scrape targets, and the exporter scripts the data guests need. Pure: no Pulumi
 * import (the component only adds the secrets).
 */
import type { MonitoringConfig } from "../../config/tier-configs";
import { placeholdersIn } from "../proxmox/secret-forms";
import type { ScrapeTarget as WiredTarget } from "../../config/wiring";
import { SMTP_PASSWORD_PLACEHOLDER, TELEGRAM_BOT_TOKEN_PLACEHOLDER } from "./alertmanager";
import {
  MARIADB_MONITOR_PASSWORD_PLACEHOLDER,
  mysqldExporterPart,
  redisExporterPart,
  REDIS_EXPORTER_PASSWORD_PLACEHOLDER,
  renderExporterScript,
} from "./exporters";
import { GRAFANA_ADMIN_PASSWORD_PLACEHOLDER } from "./grafana";
import { PVE_EXPORTER_TOKEN_PLACEHOLDER } from "./pve";
import type { MonitoringGuestInput } from "./scripts";
import type { ScrapeTarget } from "./types";

/**
 * API token pve-exporter reads the Proxmox API with. The operator creates it once on the node and
 * stores its secret value as the stack secret `pveExporterToken`:
 * `pveum user add monitoring@pve`, `pveum acl modify / --users monitoring@pve --roles PVEAuditor`,
 * `pveum user token add monitoring@pve exporter --privsep 0`.
 */
export const PVE_EXPORTER_TOKEN_ID = "monitoring@pve!exporter";

/** Login the exporters use: the accounts the database and Redis tiers create (`exporter`). */
export const EXPORTER_LOGIN = "exporter";

/** Name of the prelude variable a placeholder (`@@NAME@@`, `@@NAME:yaml@@`) is filled from. */
function envOf(placeholder: string): string {
  const [name] = placeholdersIn(placeholder);
  if (name === undefined) throw new Error(`not a secret placeholder: ${placeholder}`);
  return name;
}

/** Prelude variables of the monitoring guest's script, by the secret that fills them. */
export const MONITORING_SECRET_ENV = {
  /** The generated Grafana admin password. */
  grafanaAdminPassword: envOf(GRAFANA_ADMIN_PASSWORD_PLACEHOLDER),
  /** Stack secret `alertSmtpPassword`. */
  smtpPassword: envOf(SMTP_PASSWORD_PLACEHOLDER),
  /** Stack secret `telegramBotToken`. */
  telegramBotToken: envOf(TELEGRAM_BOT_TOKEN_PLACEHOLDER),
  /** Stack secret `pveExporterToken`. */
  pveExporterToken: envOf(PVE_EXPORTER_TOKEN_PLACEHOLDER),
} as const;

/** Which optional secrets the stack has (values stay in the component). */
export interface MonitoringSecretsPresent {
  /** `alertSmtpPassword` is set: Alertmanager logs in to the relay. */
  smtpPassword: boolean;
  /** `telegramBotToken` is set. */
  telegramBotToken: boolean;
  /** `pveExporterToken` is set. */
  pveExporterToken: boolean;
}

export interface MonitoringSiteFacts {
  /** The stack's `monitoring` key. */
  config: MonitoringConfig;
  /** The client's short name (`site.slug`): the `client` label on every series and alert. */
  siteSlug: string;
  /** The site's public domain (`site.domain`): alerts come from `alerts@<domain>` unless `smtpFrom` says. */
  siteDomain: string;
  /** Who gets the alerts unless `alertEmails` says (`site.adminEmails`). */
  adminEmails: readonly string[];
  /** Pulumi stack name (the `stack` label on every series and alert). */
  stack: string;
  /** The site's scrape targets (`siteWiring(site).scrapeTargets`). */
  targets: readonly WiredTarget[];
  /** Address of the monitoring guest: Prometheus and Alertmanager listen there. */
  guestIp: string;
  present: MonitoringSecretsPresent;
}

export interface MonitoringPlan {
  input: MonitoringGuestInput;
  /** Decisions an operator should hear about (features left out for a missing secret). */
  notes: string[];
}

/** The wiring's targets in the renderer's shape (the wiring's guest key is dropped). */
export function toScrapeTargets(targets: readonly WiredTarget[]): ScrapeTarget[] {
  return targets.map((t) => ({ job: t.job, instance: t.instance, address: t.address, port: t.port }));
}

/** The monitoring guest's renderer input: targets from the wiring, alerting and Grafana from the stack. */
export function monitoringPlanFor(facts: MonitoringSiteFacts): MonitoringPlan {
  const { config: mon, present } = facts;
  const notes: string[] = [];
  const hasProxmox = facts.targets.some((t) => t.job === "proxmox");
  const pve = hasProxmox && present.pveExporterToken;
  if (hasProxmox && !pve)
    notes.push(
      "monitoring: no pveExporterToken secret, so the proxmox job (pve-exporter) is left out; node metrics of the host stay",
    );
  if (!present.smtpPassword)
    notes.push(
      `monitoring: no alertSmtpPassword secret, so Alertmanager sends through ${mon.smtpSmarthost} without logging in (a relay that accepts the site)`,
    );
  const telegram = mon.telegramChatId !== undefined && present.telegramBotToken;
  if (mon.telegramChatId !== undefined && !telegram)
    notes.push("monitoring: telegramChatId is set but the telegramBotToken secret is not: e-mail only");
  const input: MonitoringGuestInput = {
    site: { client: facts.siteSlug, stack: facts.stack },
    targets: toScrapeTargets(facts.targets.filter((t) => pve || t.job !== "proxmox")),
    thresholds: { replicationLagSeconds: mon.replicationLagSeconds },
    alerting: {
      email: {
        smarthost: mon.smtpSmarthost,
        from: mon.smtpFrom ?? `alerts@${facts.siteDomain}`,
        to: mon.alertEmails ?? facts.adminEmails,
        authenticate: present.smtpPassword,
      },
      ...(telegram ? { telegram: { chatId: mon.telegramChatId! } } : {}),
    },
    grafana: mon.grafanaHostname ? { publicHostname: mon.grafanaHostname } : {},
    // A mirror of Grafana's repository when the stack names one (unset: Grafana's own).
    ...(mon.grafanaApt
      ? {
          grafanaAptUrl: mon.grafanaApt.url,
          grafanaAptKeyUrl: mon.grafanaApt.keyUrl,
          grafanaAptKeyFingerprint: mon.grafanaApt.keyFingerprint,
        }
      : {}),
    ...(pve ? { pveExporter: { tokenId: PVE_EXPORTER_TOKEN_ID } } : {}),
    // The wiring lets the admin networks reach the Prometheus UI on the guest's address.
    localAddress: facts.guestIp,
  };
  return { input, notes };
}

/** Which tier's monitor password an exporter script needs. */
export type ExporterSecretSource = "database" | "redis";

/** An exporter the monitoring tier renders for a data guest; the tier owning the guest installs it. */
export interface ExporterStep {
  /** Guest key the script runs in (database-primary, database-replica, redis). */
  guest: string;
  job: "mysqld" | "redis";
  script: string;
  /** Prelude variable carrying the monitor password, and whose password it is. */
  secretEnv: string;
  source: ExporterSecretSource;
}

/**
 * One exporter script per mysqld or redis target of the wiring, on the guest that target names.
 * Both log in as the tiers' own `exporter` accounts: MariaDB's is created (and replicated) by the
 * primary's bootstrap, Redis's is in its ACL file.
 */
export function exporterStepsFor(targets: readonly WiredTarget[], redisPort: number): ExporterStep[] {
  const steps: ExporterStep[] = [];
  for (const t of targets) {
    if (t.job === "mysqld") {
      steps.push({
        guest: t.target,
        job: "mysqld",
        script: renderExporterScript(`mysqld_exporter on ${t.instance}`, [
          mysqldExporterPart({ user: EXPORTER_LOGIN, createUser: false }),
        ]),
        secretEnv: envOf(MARIADB_MONITOR_PASSWORD_PLACEHOLDER),
        source: "database",
      });
    } else if (t.job === "redis") {
      const host = t.address.includes(":") ? `[${t.address}]` : t.address;
      steps.push({
        guest: t.target,
        job: "redis",
        script: renderExporterScript(`redis_exporter on ${t.instance}`, [
          redisExporterPart({ redisUrl: `redis://${host}:${redisPort}`, user: EXPORTER_LOGIN }),
        ]),
        secretEnv: envOf(REDIS_EXPORTER_PASSWORD_PLACEHOLDER),
        source: "redis",
      });
    }
  }
  return steps;
}
