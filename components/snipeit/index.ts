import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseEndpoint } from "../database";
import type { TierContext } from "../core/context";
import { GuestTier } from "../core/guest-tier";
import { trustedProxies } from "../core/trusted-proxies";
import { renderSnipeItScript } from "./render";

export interface SnipeItArgs {
  ctx: TierContext;
  database: DatabaseEndpoint;
  dependsOn: pulumi.Resource[];
}

/** Snipe-IT from the TurnKey template, configured against the central database. */
export class SnipeIt extends GuestTier {
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: SnipeItArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:SnipeIt", name, args.ctx, opts);
    const { ctx } = args;
    const cfg = ctx.site.snipeIt!;
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
      trustedProxies: trustedProxies(ctx),
      timezone: ctx.site.site.timezone,
      admin: {
        username: "admin",
        email: ctx.site.site.adminEmails[0],
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
    this.registerOutputs({});
  }
}
