import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseEndpoint } from "../database";
import type { SimpleAppConfig } from "../../config/tier-configs";
import { GuestTier } from "../core/guest-tier";
import type { TierHost } from "../core/tier-host";
import { renderSnipeItScript } from "./render";

export interface SnipeItArgs {
  /** The Snipe-IT guest's plan. */
  host: TierHost;
  /** The stack's `snipeIt` key. */
  config: SimpleAppConfig;
  /** Addresses of the tunnel connectors: the only proxies whose X-Forwarded-For is trusted. */
  trustedProxies: readonly string[];
  /** The first administrator's e-mail (the site's first admin address). */
  adminEmail: string;
  /** The site's time zone (`site.timezone`). */
  timezone: string;
  database: DatabaseEndpoint;
  dependsOn: pulumi.Resource[];
}

/** Snipe-IT from the TurnKey template, configured against the central database. */
export class SnipeIt extends GuestTier {
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: SnipeItArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:SnipeIt", name, args.host, opts);
    const cfg = args.config;
    this.addGuest("snipe-it");
    const db = args.database.credentials.snipeit;
    // APP_KEY encrypts data in the central database: it must outlive a rebuilt guest.
    const appKey = new random.RandomBytes(`${name}-app-key`, { length: 32 }, { parent: this });
    this.adminPassword = new random.RandomPassword(
      `${name}-admin-password`,
      { length: 32, special: false },
      { parent: this },
    ).result;
    const script = renderSnipeItScript({
      hostname: cfg.publicHostname,
      database: { host: args.database.host, port: args.database.port, name: db.database, user: db.user },
      trustedProxies: args.trustedProxies,
      timezone: args.timezone,
      admin: {
        username: "admin",
        email: args.adminEmail,
        firstName: "Site",
        lastName: "Administrator",
      },
    });
    this.provision({
      guest: "snipe-it",
      role: "install",
      script,
      secrets: {
        SNIPEIT_APP_KEY: pulumi.interpolate`base64:${appKey.base64}`,
        SNIPEIT_DB_PASSWORD: db.password,
        SNIPEIT_ADMIN_PASSWORD: this.adminPassword,
      },
      dependsOn: args.dependsOn,
    });
    this.registerTierOutputs({ adminPassword: this.adminPassword });
  }
}
