import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpoint } from "../database";
import type { SimpleAppConfig } from "../../config/tier-configs";
import { GuestTier } from "../core/guest-tier";
import type { TierHost } from "../core/tier-host";
import { renderPassboltScript } from "./render";

export interface PassboltArgs {
  /** The Passbolt guest's plan. */
  host: TierHost;
  /** The stack's `passbolt` key. */
  config: SimpleAppConfig;
  /** Addresses of the tunnel connectors: the only proxies whose X-Forwarded-For is trusted. */
  trustedProxies: readonly string[];
  /** The first administrator's e-mail (the site's first admin address). */
  adminEmail: string;
  database: DatabaseEndpoint;
  dependsOn: pulumi.Resource[];
}

/** Passbolt CE from its Debian package, configured against the central database. */
export class Passbolt extends GuestTier {
  constructor(name: string, args: PassboltArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:Passbolt", name, args.host, opts);
    const cfg = args.config;
    this.addGuest("passbolt");
    const db = args.database.credentials.passbolt;
    const script = renderPassboltScript({
      hostname: cfg.publicHostname,
      database: { host: args.database.host, port: args.database.port, name: db.database, user: db.user },
      trustedProxies: args.trustedProxies,
      // The Ubuntu 22.04 template ships PHP 8.1.
      phpVersion: "8.1",
      admin: { email: args.adminEmail, firstName: "Site", lastName: "Administrator" },
    });
    // The installer prints a one-time admin setup link: the provisioner keeps stdout secret.
    this.provision({
      guest: "passbolt",
      role: "install",
      script,
      secrets: { PASSBOLT_DB_PASSWORD: db.password },
      dependsOn: args.dependsOn,
    });
    this.registerTierOutputs();
  }
}
