import type { PublishedService } from "../../config/wiring";

export interface IngressRule {
  hostname?: string;
  service: string;
  originRequest?: { noTlsVerify?: boolean; httpHostHeader?: string };
}

export const CATCH_ALL: IngressRule = { service: "http_status:404" };

/**
 * The tunnel's ingress, one rule per published hostname in a stable order, ending with the
 * catch-all Cloudflare requires last. Origin TLS checks are relaxed only where a service asks
 * (the Proxmox UI's self-signed certificate).
 */
export function tunnelIngress(services: readonly PublishedService[]): IngressRule[] {
  const seen = new Set<string>();
  for (const s of services) {
    if (seen.has(s.hostname)) throw new Error(`tunnel ingress: ${s.hostname} is published twice`);
    seen.add(s.hostname);
  }
  const rules = [...services]
    .sort((a, b) => a.hostname.localeCompare(b.hostname))
    .map<IngressRule>((s) => ({
      hostname: s.hostname,
      service: s.origin,
      ...(s.noTlsVerify ? { originRequest: { noTlsVerify: true } } : {}),
    }));
  return [...rules, CATCH_ALL];
}

/** The hostnames that sit behind Cloudflare Access (admin tools). */
export function accessProtected(services: readonly PublishedService[]): PublishedService[] {
  return services.filter((s) => s.admin).sort((a, b) => a.hostname.localeCompare(b.hostname));
}
