/**
 * AdGuard Home's renderer input from the validated stack and the site's guest inventory: who may
 * query, where to forward, and a local name for every guest. Pure: no Pulumi import.
 */
import type { GuestPlan } from "../../config/inventory";
import { PORTS } from "../../config/ports";
import type { SiteConfig } from "../../config/schema";
import { isIpAddress } from "../webapps/validate";
import type { AdGuardHomeInput } from "./adguard";
import type { DnsRewrite } from "./adguard-config";

/**
 * Plain-IP resolvers AdGuard resolves upstream names with: the upstreams that are plain addresses,
 * else the site's DNS servers other than AdGuard itself (it cannot bootstrap from itself).
 */
export function bootstrapResolvers(
  upstreams: readonly string[],
  siteDns: readonly string[],
  ownIp: string,
): string[] {
  const plain = upstreams.filter(isIpAddress);
  if (plain.length > 0) return [...new Set(plain)];
  const others = siteDns.filter((d) => isIpAddress(d) && d !== ownIp);
  if (others.length > 0) return [...new Set(others)];
  throw new Error(
    `networkServices.upstreamDns: no plain IP address among ${upstreams.join(", ")} and no network.dns server other than ${ownIp} to resolve them with`,
  );
}

/** `<hostname>.<internalDomain>` → address, for every guest of the site (containers and VMs). */
export function guestRewrites(guests: readonly GuestPlan[], internalDomain: string): DnsRewrite[] {
  return guests
    .map((g) => ({ name: `${g.hostname}.${internalDomain}`.toLowerCase(), ip: g.ip }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Clients allowed to query: the site's network and the admin networks, each once. */
export function allowedDnsClients(site: SiteConfig): string[] {
  return [...new Set([site.network.cidr, ...site.network.adminCidrs])];
}

/** The AdGuard Home input for a stack whose `networkServices.adguard` pins a release. */
export function adGuardInputFor(
  site: SiteConfig,
  guests: readonly GuestPlan[],
  guestIp: string,
): AdGuardHomeInput {
  const ns = site.networkServices;
  if (!ns?.adguard)
    throw new Error("networkServices.adguard: no pinned release, AdGuard Home is not installed");
  return {
    version: ns.adguard.version,
    sha256: ns.adguard.sha256,
    baseUrl: ns.adguard.baseUrl,
    listenAddress: guestIp,
    dnsPort: PORTS.dns,
    webPort: PORTS.adguardUi,
    upstreamDns: ns.upstreamDns,
    bootstrapDns: bootstrapResolvers(ns.upstreamDns, site.network.dns, guestIp),
    allowedClients: allowedDnsClients(site),
    rewrites: guestRewrites(guests, site.site.internalDomain),
  };
}
