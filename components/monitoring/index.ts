import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { SiteSecrets } from "../../config/load";
import type { MariaDbCluster } from "../database";
import { NODE_EXPORTER_SCRIPT } from "./exporters";
import { GuestProvisioner, NodeProvisioner } from "../proxmox/provisioner";
import type { RedisCache } from "../redis";
import { planOf, type TierContext } from "../core/context";
import { GuestTier } from "../core/guest-tier";
import { monitoringScriptEnv, renderMonitoringScript } from "./scripts";
import {
  exporterStepsFor,
  MONITORING_SECRET_ENV as ENV,
  monitoringPlanFor,
  type ExporterStep,
} from "./site-input";

export interface MonitoringArgs {
  ctx: TierContext;
  secrets: SiteSecrets;
  /** The site's database pair: its exporter's credentials. */
  database?: MariaDbCluster;
  /** The site's Redis: its exporter's credentials. */
  redis?: RedisCache;
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
    super("proxmox-sites:ops:Monitoring", name, args.ctx, opts);
    const { ctx, secrets } = args;
    const plan = planOf(ctx, "monitoring");
    this.addGuest("monitoring");

    const { input, notes } = monitoringPlanFor({
      site: ctx.site,
      stack: pulumi.getStack(),
      targets: ctx.wiring.scrapeTargets,
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

    for (const step of exporterStepsFor(ctx.wiring.scrapeTargets, args.redis?.endpoint.port ?? 6379)) {
      const exporter = this.exporter(step, args);
      this.exporters.push(exporter);
      this.provisioners.push(exporter);
    }
    // Every node is scraped for its node exporter: install it there (the node firewall admits monitoring).
    for (const t of ctx.wiring.scrapeTargets) {
      if (t.job !== "node" || !t.target.startsWith("host:")) continue;
      const node = t.target.slice("host:".length);
      this.nodeExporters.push(
        new NodeProvisioner(
          `${node}-node-exporter`,
          { connection: ctx.factory.connectionForNode(node), script: NODE_EXPORTER_SCRIPT },
          { parent: this },
        ),
      );
    }
    this.registerOutputs({});
  }

  /** An exporter install on a guest another tier owns, once that tier is ready. */
  private exporter(step: ExporterStep, args: MonitoringArgs): GuestProvisioner {
    const owner = step.source === "database" ? args.database : args.redis;
    if (!owner)
      throw new Error(`monitoring: a ${step.job} target on ${step.guest} but no ${step.source} tier`);
    const plan = planOf(args.ctx, step.guest);
    return new GuestProvisioner(
      `${step.guest}-${step.job}-exporter`,
      {
        connection: args.ctx.factory.connectionFor(plan),
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
