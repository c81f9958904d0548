import type * as pulumi from "@pulumi/pulumi";
import ipaddr from "ipaddr.js";
import type { SiteConfig } from "../../config/schema";
import type { SiteWiring } from "../../config/wiring";
import type { TierContext } from "../core/context";
import { GuestTier } from "../core/guest-tier";
import { renderPrintServerScript, type PrintServerInput } from "./render";

export interface PrintServerArgs {
  ctx: TierContext;
}

/** The print server's renderer input from the validated site and its wiring. */
export function printServerInputFor(site: SiteConfig, wiring: SiteWiring): PrintServerInput {
  const cfg = site.printServer!;
  const plan = wiring.guests.find((g) => g.key === "print-server")!;
  const prefixLength = ipaddr.IPv4.parseCIDR(site.network.cidr)[1];
  return {
    cups: {
      listenIp: plan.ip,
      serverAliases: [plan.hostname, `${plan.hostname}.${site.site.internalDomain}`],
      printCidrs: [site.network.cidr],
      adminCidrs: site.network.adminCidrs,
    },
    samba: {
      workgroup: cfg.workgroup,
      listenIp: plan.ip,
      prefixLength,
      allowCidrs: [site.network.cidr, ...site.network.adminCidrs],
      guestPrinting: cfg.guestPrinting,
    },
  };
}

/** CUPS with Samba sharing on one unprivileged guest; LAN clients print over IPP (631) or SMB (445). */
export class PrintServer extends GuestTier {
  constructor(name: string, args: PrintServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:apps:PrintServer", name, args.ctx, opts);
    this.addGuest("print-server");
    this.provision({
      guest: "print-server",
      role: "install",
      script: renderPrintServerScript(printServerInputFor(args.ctx.site, args.ctx.wiring)),
    });
    this.registerOutputs({});
  }
}
