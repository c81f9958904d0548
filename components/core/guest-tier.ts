import * as pulumi from "@pulumi/pulumi";
import type { GuestOverrides } from "../proxmox/guest-factory";
import type { LxcGuest } from "../proxmox/lxc-guest";
import { GuestProvisioner } from "../proxmox/provisioner";
import type { ExporterInstall, FormerParent } from "./handed-steps";
import { planOf, type TierHost } from "./tier-host";

/** A provisioning step of a tier: a rendered script and the secrets its prelude exports. */
export interface ProvisionStep {
  /** Guest key the script runs in. */
  guest: string;
  /** Role of the step, part of the resource name (e.g. "install", "cron"). */
  role: string;
  script: pulumi.Input<string>;
  secrets?: Record<string, pulumi.Input<string>>;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Base of the tiers that are guests plus provisioning: creates each guest through the site's
 * factory (named after its stable key) and runs rendered scripts in them.
 */
export abstract class GuestTier extends pulumi.ComponentResource {
  readonly guests: Record<string, LxcGuest> = {};
  readonly provisioners: GuestProvisioner[] = [];
  // Kept #private: a tier's own properties are its public fields, the ones it registers as outputs.
  readonly #host: TierHost;
  readonly #stepsByGuest: Record<string, GuestProvisioner[]> = {};

  protected constructor(type: string, name: string, host: TierHost, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.#host = host;
  }

  /** What the Site handed the tier: the guest factory and its own guests' plans. */
  protected get host(): TierHost {
    return this.#host;
  }

  /** The inventory entry of one of this tier's guests. */
  protected planOf(key: string) {
    return planOf(this.host, key);
  }

  /**
   * Creates a guest; on a monitored site the tier also installs node_exporter on it (every guest is
   * scraped), with the script the Site hands over, and on a connector guest the tunnel's connector,
   * with the token the tunnel hands over.
   */
  protected addGuest(key: string, overrides: GuestOverrides = {}): LxcGuest {
    const guest = this.host.factory.lxc(this.planOf(key), overrides, this);
    this.guests[key] = guest;
    if (this.host.nodeExporterScript) {
      // Not part of `ready`: nothing downstream waits for a guest's metrics.
      this.runStep({ guest: key, role: "node-exporter", script: this.host.nodeExporterScript });
    }
    const connector = this.host.tunnelConnector;
    if (connector?.guests.includes(key)) {
      // Not part of `ready` either, and waits only for the guest.
      const { script, secrets, formerParent } = connector;
      this.runStep({ guest: key, role: "cloudflared", script, secrets }, formerParent);
    }
    return guest;
  }

  /**
   * Runs the exporters the monitoring tier rendered for this tier's guests, each after its guest's own
   * steps (its exporter account exists then) and logging in with `password`, the tier's exporter account.
   */
  protected installExporters(exporters: readonly ExporterInstall[], password: pulumi.Input<string>): void {
    for (const e of exporters) {
      if (!this.guests[e.guest])
        throw new Error(`${this.constructor.name}: no guest ${e.guest} for its exporter`);
      // Not part of `ready`: nothing downstream waits for a guest's metrics.
      this.runStep(
        {
          guest: e.guest,
          role: `${e.job}-exporter`,
          script: e.script,
          secrets: { [e.passwordEnv]: password },
          dependsOn: this.#stepsByGuest[e.guest] ?? [],
        },
        e.formerParent,
      );
    }
  }

  /** A provisioning step that dependent tiers (and the exporters on its guest) wait for. */
  protected provision(step: ProvisionStep): GuestProvisioner {
    const p = this.runStep(step);
    this.provisioners.push(p);
    (this.#stepsByGuest[step.guest] ??= []).push(p);
    return p;
  }

  /**
   * Runs a step in its guest, after the guest exists and the step's own dependencies; a step another
   * component ran before keeps its URN through an alias to that component.
   */
  private runStep(step: ProvisionStep, formerParent?: FormerParent): GuestProvisioner {
    const plan = this.planOf(step.guest);
    const guest = this.guests[step.guest];
    return new GuestProvisioner(
      `${step.guest}-${step.role}`,
      {
        connection: this.host.factory.connectionFor(plan),
        vmid: plan.vmid,
        script: step.script,
        secrets: step.secrets,
        dependsOn: [...(guest ? [guest] : []), ...(step.dependsOn ?? [])],
      },
      { parent: this, ...(formerParent ? { aliases: [{ parent: formerParent }] } : {}) },
    );
  }

  /**
   * Ends a tier's constructor: registers its public fields as the component's outputs, the guests and
   * provisioning steps every tier has plus what the tier itself offers (endpoints, passwords, ready lists).
   */
  protected registerTierOutputs(own: pulumi.Inputs = {}): void {
    this.registerOutputs({ guests: this.guests, provisioners: this.provisioners, ...own });
  }

  /** What a dependent tier waits for: every guest and provisioning step of this tier. */
  get ready(): pulumi.Resource[] {
    return [...Object.values(this.guests), ...this.provisioners];
  }
}
