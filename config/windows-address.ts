import { createHash } from "node:crypto";
import ipaddr from "ipaddr.js";
import type { GuestPlan } from "./inventory";
import { PORTS } from "./ports";
import type { SiteConfig } from "./schema";

/** Something the program cannot do, that the operator must, with how. */
export interface ManualStep {
  /** Guest key (as in the IP plan). */
  guest: string;
  /** One line: what is not done by the program and why. */
  what: string;
  /** The ways to do it, each complete. */
  how: string[];
}

/**
 * A stable MAC for the Windows VM's NIC: locally administered unicast (02:…), the rest from a
 * digest of the site slug and the VMID, so a DHCP reservation made once keeps matching.
 */
export function windowsMacAddress(slug: string, vmid: number): string {
  const digest = createHash("sha256").update(`${slug}/${vmid}`).digest();
  const bytes = [0x02, ...digest.subarray(0, 5)];
  return bytes.map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/** The Windows VM's NIC MAC: the stack's, else the derived one. */
export function windowsMac(site: SiteConfig): string | undefined {
  const vm = site.windowsGpu;
  return vm ? (vm.macAddress ?? windowsMacAddress(site.site.slug, vm.vmid)) : undefined;
}

/**
 * How the Windows VM gets its planned address: Windows installed from an ISO has no cloud-init
 * (cloudbase-init) and its guest agent arrives only after setup, so the program cannot set it.
 */
export function manualSteps(site: SiteConfig, guests: readonly GuestPlan[]): ManualStep[] {
  const vm = site.windowsGpu;
  const plan = guests.find((g) => g.key === "windows-gpu");
  if (!vm || !plan) return [];
  const mac = windowsMac(site)!;
  const prefix = ipaddr.IPv4.parseCIDR(site.network.cidr)[1];
  const mask = ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString();
  const dns = site.network.dns.map((d) => `"${d}"`).join(",");
  return [
    {
      guest: plan.key,
      what: `${plan.hostname} (VMID ${plan.vmid}) must have ${plan.ip}: the program cannot set an address inside Windows (installed from ISO, no cloud-init)`,
      how: [
        `DHCP reservation on the network's DHCP server (the router, ${site.network.gateway}): MAC ${mac} → ${plan.ip}`,
        `or static in Windows (PowerShell as administrator): New-NetIPAddress -InterfaceAlias Ethernet -IPAddress ${plan.ip} -PrefixLength ${prefix} -DefaultGateway ${site.network.gateway}; Set-DnsClientServerAddress -InterfaceAlias Ethernet -ServerAddresses ${dns}  (netmask ${mask})`,
        `then enable Remote Desktop (Settings → System → Remote Desktop); the Proxmox firewall lets the admin networks (${site.network.adminCidrs.join(", ")}) reach ${plan.ip}:${PORTS.rdp}`,
      ],
    },
  ];
}
