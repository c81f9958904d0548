/**
 * AdGuard Home's renderer input from the validated stack and the site's guest inventory: who may
 * query, where to forward, and a local name for every guest. Pure: no Pulumi import.
 */
import type { GuestPlan } from "../../config/inventory";
import { PORTS } from "../../config/ports";
import type { NetworkConfig, NetworkServicesConfig } from "../../config/tier-configs";
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
export function guestRewrites(
  guests: readonly Pick<GuestPlan, "hostname" | "ip">[],
  internalDomain: string,
): DnsRewrite[] {
  return guests
    .map((g) => ({ name: `${g.hostname}.${internalDomain}`.toLowerCase(), ip: g.ip }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Clients allowed to query: the site's network and the admin networks, each once. */
export function allowedDnsClients(network: Pick<NetworkConfig, "cidr" | "adminCidrs">): string[] {
  return [...new Set([network.cidr, ...network.adminCidrs])];
}

export interface AdGuardFacts {
  /** The stack's `networkServices` key; AdGuard Home is installed only from the release it pins. */
  config: NetworkServicesConfig;
  /** The network-services guest's address: AdGuard Home listens there. */
  guestIp: string;
  /** Who may query (`cidr`, `adminCidrs`) and the site's resolvers (`dns`) for bootstrapping. */
  network: Pick<NetworkConfig, "cidr" | "adminCidrs" | "dns">;
  /** The site's internal DNS domain (`site.internalDomain`). */
  internalDomain: string;
  /** Every guest of the site (containers and VMs): each gets a local name. */
  siteGuests: readonly Pick<GuestPlan, "hostname" | "ip">[];
}

/** The AdGuard Home input for a stack whose `networkServices.adguard` pins a release. */
export function adGuardInputFor(facts: AdGuardFacts): AdGuardHomeInput {
  const { config: ns, guestIp, network } = facts;
  if (!ns.adguard)
    throw new Error("networkServices.adguard: no pinned release, AdGuard Home is not installed");
  return {
    version: ns.adguard.version,
    sha256: ns.adguard.sha256,
    baseUrl: ns.adguard.baseUrl,
    listenAddress: guestIp,
    dnsPort: PORTS.dns,
    webPort: PORTS.adguardUi,
    upstreamDns: ns.upstreamDns,
    bootstrapDns: bootstrapResolvers(ns.upstreamDns, network.dns, guestIp),
    allowedClients: allowedDnsClients(network),
    rewrites: guestRewrites(facts.siteGuests, facts.internalDomain),
  };
}
