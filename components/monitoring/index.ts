import type * as pulumi from "@pulumi/pulumi";
import type { SiteSecrets } from "../../config/load";
import type { TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";

export interface MonitoringArgs {
  ctx: TierContext;
  secrets: SiteSecrets;
}

/** Prometheus, Alertmanager and Grafana; targets come from the site's wiring. */
export class Monitoring extends GuestTier {
  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:ops:Monitoring", name, args.ctx, opts);
    this.addGuest("monitoring");
    this.registerOutputs({});
  }
}
