import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { NODE_EXPORTER_SCRIPT } from "./exporters";
import { NodeProvisioner } from "../proxmox/provisioner";
import { GuestTier } from "../core/guest-tier";
import type { TierHost } from "../core/tier-host";
import { monitoringScriptEnv, renderMonitoringScript } from "./scripts";
import { MONITORING_SECRET_ENV as ENV, monitoringPlanFor, type MonitoringSiteFacts } from "./site-input";

/** The monitoring component's type token (the Site names the exporters' former parent with it). */
export const MONITORING_TYPE = "proxmox-sites:ops:Monitoring";

/** The stack's optional alerting and Proxmox secrets; the script asks only for those that are set. */
export interface MonitoringSecrets {
  alertSmtpPassword?: pulumi.Output<string>;
  telegramBotToken?: pulumi.Output<string>;
  pveExporterToken?: pulumi.Output<string>;
}

/** The stack key, site values and scrape targets (`MonitoringSiteFacts`), its guest's plan and the secrets. */
export interface MonitoringArgs extends Omit<MonitoringSiteFacts, "stack" | "guestIp" | "present"> {
  /** The monitoring guest's plan. */
  host: TierHost;
  secrets: MonitoringSecrets;
}

/**
 * Prometheus, Alertmanager and Grafana; targets come from the site's wiring. The exporters on other
 * tiers' guests are rendered here (`exporterStepsFor`, `NODE_EXPORTER_SCRIPT`) and installed by the
 * tier that owns each guest; node_exporter on the Proxmox nodes, which no tier owns, is installed here.
 */
export class Monitoring extends GuestTier {
  /** Grafana's `admin` password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  /** node_exporter on each Proxmox node Prometheus scrapes. */
  readonly nodeExporters: NodeProvisioner[] = [];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MONITORING_TYPE, name, args.host, opts);
    const { secrets, targets } = args;
    const plan = this.planOf("monitoring");
    this.addGuest("monitoring");

    const { input, notes } = monitoringPlanFor({
      config: args.config,
      siteSlug: args.siteSlug,
      siteDomain: args.siteDomain,
      adminEmails: args.adminEmails,
      stack: pulumi.getStack(),
      targets,
      guestIp: plan.ip,
      present: {
        smtpPassword: secrets.alertSmtpPassword !== undefined,
        telegramBotToken: secrets.telegramBotToken !== undefined,
        pveExporterToken: secrets.pveExporterToken !== undefined,
      },
    });
    for (const note of notes) pulumi.log.warn(note, this);

    this.grafanaAdminPassword = new random.RandomPassword(
      `${name}-grafana-admin-password`,
      { length: 32, special: false },
      { parent: this },
    ).result;
    const available: Record<string, pulumi.Input<string> | undefined> = {
      [ENV.grafanaAdminPassword]: this.grafanaAdminPassword,
      [ENV.smtpPassword]: secrets.alertSmtpPassword,
      [ENV.telegramBotToken]: secrets.telegramBotToken,
      [ENV.pveExporterToken]: secrets.pveExporterToken,
    };
    const needed: Record<string, pulumi.Input<string>> = {};
    for (const env of monitoringScriptEnv(input)) {
      const value = available[env];
      if (value === undefined) throw new Error(`monitoring: no secret for ${env}`);
      needed[env] = value;
    }
    this.provision({
      guest: "monitoring",
      role: "install",
      script: renderMonitoringScript(input),
      secrets: needed,
    });

    // Every node is scraped for its node exporter: install it there (the node firewall admits monitoring).
    for (const t of targets) {
      if (t.job !== "node" || !t.target.startsWith("host:")) continue;
      const node = t.target.slice("host:".length);
      this.nodeExporters.push(
        new NodeProvisioner(
          `${node}-node-exporter`,
          { connection: this.host.factory.connectionForNode(node), script: NODE_EXPORTER_SCRIPT },
          { parent: this },
        ),
      );
    }
    this.registerTierOutputs({
      grafanaAdminPassword: this.grafanaAdminPassword,
      nodeExporters: this.nodeExporters,
    });
  }
}
