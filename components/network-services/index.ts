import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GuestTier } from "../core/guest-tier";
import type { TierHost } from "../core/tier-host";
import { ADGUARD_PASSWORD_ENV, renderAdGuardHomeScript } from "./adguard";
import { adGuardInputFor, type AdGuardFacts } from "./adguard-input";

/** Its stack key, the site's networks, domain and guests (`AdGuardFacts`), and its guest's plan. */
export interface NetworkServicesArgs extends Omit<AdGuardFacts, "guestIp"> {
  host: TierHost;
}

/**
 * AdGuard Home for the LAN's DNS, installed only from the release the stack pins
 * (`networkServices.adguard`); the tunnel's cloudflared connector runs here too (the tunnel tier).
 */
export class NetworkServices extends GuestTier {
  /** AdGuard Home's web UI password for `admin` (secret); absent when AdGuard is not installed. */
  readonly adguardAdminPassword?: pulumi.Output<string>;

  constructor(name: string, args: NetworkServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:network:NetworkServices", name, args.host, opts);
    this.addGuest("network-services");
    // Without a pinned release there is nothing to verify a download against (validation warns).
    if (args.config.adguard) {
      const { config, network, internalDomain, siteGuests } = args;
      const guestIp = this.planOf("network-services").ip;
      const input = adGuardInputFor({ config, network, internalDomain, siteGuests, guestIp });
      this.adguardAdminPassword = new random.RandomPassword(
        `${name}-adguard-admin-password`,
        { length: 32, special: false },
        { parent: this },
      ).result;
      this.provision({
        guest: "network-services",
        role: "adguard",
        script: renderAdGuardHomeScript(input),
        secrets: { [ADGUARD_PASSWORD_ENV]: this.adguardAdminPassword },
      });
    }
    this.registerTierOutputs({ adguardAdminPassword: this.adguardAdminPassword });
  }
}
