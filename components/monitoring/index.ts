import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { GuestPlan } from "../../config/inventory";
import { NODE_EXPORTER_SCRIPT } from "./exporters";
import { GuestProvisioner, NodeProvisioner } from "../proxmox/provisioner";
import { GuestTier } from "../core/guest-tier";
import { planOf, type TierHost } from "../core/tier-host";
import { monitoringScriptEnv, renderMonitoringScript } from "./scripts";
import {
  exporterStepsFor,
  MONITORING_SECRET_ENV as ENV,
  monitoringPlanFor,
  type ExporterStep,
  type MonitoringSiteFacts,
} from "./site-input";

/** A data tier whose guests carry an exporter: the exporter's login and what it waits for. */
export interface ExporterOwner {
  /** Password of the tier's `exporter` account. */
  monitorPassword: pulumi.Output<string>;
  /** The guest's own bootstrap steps (the exporter's account exists after them). */
  readyOf(key: string): pulumi.Resource[];
}

/** The stack's optional alerting and Proxmox secrets; the script asks only for those that are set. */
export interface MonitoringSecrets {
  alertSmtpPassword?: pulumi.Output<string>;
  telegramBotToken?: pulumi.Output<string>;
  pveExporterToken?: pulumi.Output<string>;
}

/** The stack key, site values and scrape targets (`MonitoringSiteFacts`), and what the tier installs with. */
export interface MonitoringArgs extends Omit<MonitoringSiteFacts, "stack" | "guestIp" | "present"> {
  /** The monitoring guest's plan. */
  host: TierHost;
  secrets: MonitoringSecrets;
  /** The plans of the data guests the scrape targets put an exporter on. */
  exporterGuests: readonly GuestPlan[];
  /** The site's database pair: its exporter's credentials. */
  database?: ExporterOwner;
  /** The site's Redis: its exporter's credentials and port. */
  redis?: ExporterOwner & { endpoint: { port: number } };
}

/**
 * Prometheus, Alertmanager and Grafana; targets come from the site's wiring. The mysqld and redis
 * exporters run on the data guests, installed from here (after those tiers are ready) so the data
 * tiers do not depend on monitoring.
 */
export class Monitoring extends GuestTier {
  /** Grafana's `admin` password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  /** The exporter installs on the database and Redis guests. */
  readonly exporters: GuestProvisioner[] = [];
  /** node_exporter on each Proxmox node Prometheus scrapes. */
  readonly nodeExporters: NodeProvisioner[] = [];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:ops:Monitoring", name, args.host, opts);
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

    for (const step of exporterStepsFor(targets, args.redis?.endpoint.port ?? 6379)) {
      const exporter = this.exporter(step, args);
      this.exporters.push(exporter);
      this.provisioners.push(exporter);
    }
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
      exporters: this.exporters,
      nodeExporters: this.nodeExporters,
    });
  }

  /** An exporter install on a guest another tier owns, once that tier is ready. */
  private exporter(step: ExporterStep, args: MonitoringArgs): GuestProvisioner {
    const owner = step.source === "database" ? args.database : args.redis;
    if (!owner)
      throw new Error(`monitoring: a ${step.job} target on ${step.guest} but no ${step.source} tier`);
    const plan = planOf({ plans: args.exporterGuests }, step.guest);
    return new GuestProvisioner(
      `${step.guest}-${step.job}-exporter`,
      {
        connection: this.host.factory.connectionFor(plan),
        vmid: plan.vmid,
        script: step.script,
        secrets: { [step.secretEnv]: owner.monitorPassword },
        // The exporter needs only its own server's bootstrap (its account), not the rest of the tier.
        dependsOn: owner.readyOf(step.guest),
      },
      { parent: this },
    );
  }
}
