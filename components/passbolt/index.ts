import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../database";
import type { TierContext } from "../core/context";
import { GuestTier } from "../core/guest-tier";
import { trustedProxies } from "../core/trusted-proxies";
import { renderPassboltScript } from "./render";

export interface PassboltArgs {
  ctx: TierContext;
  database: DatabaseEndpoint;
  dependsOn: pulumi.Resource[];
}

/** Passbolt CE from its Debian package, configured against the central database. */
export class Passbolt extends GuestTier {
  constructor(name: string, args: PassboltArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:Passbolt", name, args.ctx, opts);
    const { ctx } = args;
    const cfg = ctx.site.passbolt!;
    this.addGuest("passbolt");
    const db = args.database.credentials.passbolt;
    const script = renderPassboltScript({
      hostname: cfg.publicHostname,
      database: { host: args.database.host, port: args.database.port, name: db.database, user: db.user },
      trustedProxies: trustedProxies(ctx),
      // The Ubuntu 22.04 template ships PHP 8.1.
      phpVersion: "8.1",
      admin: { email: ctx.site.site.adminEmails[0], firstName: "Site", lastName: "Administrator" },
    });
    // The installer prints a one-time admin setup link: the provisioner keeps stdout secret.
    this.provision({
      guest: "passbolt",
      role: "install",
      script,
      secrets: { PASSBOLT_DB_PASSWORD: db.password },
      dependsOn: args.dependsOn,
    });
    this.registerOutputs({});
  }
}
