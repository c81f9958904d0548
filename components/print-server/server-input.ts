/**
 * The print server's renderer input from its stack key, its guest and the site's networks. Pure: no
 * Pulumi import.
 */
import ipaddr from "ipaddr.js";
import type { NetworkConfig, PrintServerConfig } from "../../config/tier-configs";
import type { PrintServerInput } from "./render";

export interface PrintServerFacts {
  /** The stack's `printServer` key. */
  config: PrintServerConfig;
  /** The print server guest: CUPS and Samba listen on its address, clients find it by its name. */
  guest: { ip: string; hostname: string };
  /** The site's internal DNS domain (`site.internalDomain`). */
  internalDomain: string;
  /** The site network prints; the admin networks also reach CUPS' admin pages. */
  network: Pick<NetworkConfig, "cidr" | "adminCidrs">;
}

/** CUPS and Samba settings for the print server guest. */
export function printServerInputFor(facts: PrintServerFacts): PrintServerInput {
  const { config, guest, network } = facts;
  const prefixLength = ipaddr.IPv4.parseCIDR(network.cidr)[1];
  return {
    cups: {
      listenIp: guest.ip,
      serverAliases: [guest.hostname, `${guest.hostname}.${facts.internalDomain}`],
      printCidrs: [network.cidr],
      adminCidrs: network.adminCidrs,
    },
    samba: {
      workgroup: config.workgroup,
      listenIp: guest.ip,
      prefixLength,
      allowCidrs: [network.cidr, ...network.adminCidrs],
      guestPrinting: config.guestPrinting,
    },
  };
}
