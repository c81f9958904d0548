import type * as pulumi from "@pulumi/pulumi";
import { GuestTier } from "../core/guest-tier";
import type { TierHost } from "../core/tier-host";
import { renderPrintServerScript } from "./render";
import { printServerInputFor, type PrintServerFacts } from "./server-input";

/** Its stack key, the site's domain and networks (`PrintServerFacts`), and its guest's plan. */
export interface PrintServerArgs extends Omit<PrintServerFacts, "guest"> {
  host: TierHost;
}

/** CUPS with Samba sharing on one unprivileged guest; LAN clients print over IPP (631) or SMB (445). */
export class PrintServer extends GuestTier {
  constructor(name: string, args: PrintServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:PrintServer", name, args.host, opts);
    this.addGuest("print-server");
    const { config, internalDomain, network } = args;
    const input = printServerInputFor({
      config,
      internalDomain,
      network,
      guest: this.planOf("print-server"),
    });
    this.provision({ guest: "print-server", role: "install", script: renderPrintServerScript(input) });
    this.registerTierOutputs();
  }
}
