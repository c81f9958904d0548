/**
 * Steps another part of the site renders for a guest a tier owns: the tier that owns the guest runs
 * them (it installs everything on its guests); the monitoring tier and the tunnel hand them over
 * through the Site.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * The component that ran a step before the tier owning its guest did: an alias to it keeps the step's
 * URN, so the engine updates the step instead of replacing it (which would re-run its script).
 */
export type FormerParent = pulumi.Resource | pulumi.Input<pulumi.URN>;

/** An exporter the monitoring tier renders for a guest of another tier, run by that guest's tier. */
export interface ExporterInstall {
  /** Key of the guest the exporter runs on. */
  guest: string;
  /** The scrape job (`mysqld`, `redis`): the step is named `<guest>-<job>-exporter`. */
  job: string;
  script: string;
  /** Prelude variable the owning tier fills with the password of its own exporter account. */
  passwordEnv: string;
  formerParent?: FormerParent;
}

/** The tunnel's connector (cloudflared and the tunnel's token), run by the tier owning each connector guest. */
export interface ConnectorInstall {
  /** Keys of the guests that run the connector. */
  guests: readonly string[];
  script: string;
  /** The token, by the prelude variable the script reads it from. */
  secrets: Record<string, pulumi.Input<string>>;
  formerParent?: FormerParent;
}
