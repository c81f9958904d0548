import type * as pulumi from "@pulumi/pulumi";
import type { SiteSecrets } from "../../config/load";
import type { MariaDbCluster } from "../database";
import type { RedisCache } from "../redis";
import type { TierContext } from "../site/context";
import { GuestTier } from "../site/guest-tier";

export interface MonitoringArgs {
  ctx: TierContext;
  secrets: SiteSecrets;
  /** The site's database pair: its exporter's credentials. */
  database?: MariaDbCluster;
  /** The site's Redis: its exporter's credentials. */
  redis?: RedisCache;
}

/** Prometheus, Alertmanager and Grafana; targets come from the site's wiring. */
export class Monitoring extends GuestTier {
  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:ops:Monitoring", name, args.ctx, opts);
    this.addGuest("monitoring");
    this.registerOutputs({});
  }
}
