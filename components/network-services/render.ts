/**
 * The network-services guest (company site: 300) runs two provisioning scripts: AdGuard Home and the
 * Cloudflare Tunnel connector. This module names them together for the component. Pure: no Pulumi import.
 */
import { ADGUARD_PASSWORD_ENV, AdGuardHomeInput, renderAdGuardHomeScript } from "./adguard";
import { CLOUDFLARED_TOKEN_ENV, CloudflaredInput, renderCloudflaredScript } from "./cloudflared";

export interface NetworkServicesInput {
  adguard: AdGuardHomeInput;
  cloudflared: CloudflaredInput;
}

/** The two scripts, each run as its own provisioning command (each with only its own secret in the prelude). */
export function renderNetworkServicesScripts(input: NetworkServicesInput): {
  adguard: string;
  cloudflared: string;
} {
  return {
    adguard: renderAdGuardHomeScript(input.adguard),
    cloudflared: renderCloudflaredScript(input.cloudflared),
  };
}

/** Prelude variables per script. */
export const NETWORK_SERVICES_ENV = {
  adguard: [ADGUARD_PASSWORD_ENV],
  cloudflared: [CLOUDFLARED_TOKEN_ENV],
} as const;

/** Tunnel origin of the AdGuard Home web UI (publish it only behind Cloudflare Access). */
export function adGuardHomeOrigin(input: AdGuardHomeInput): string {
  const host = input.listenAddress.includes(":") ? `[${input.listenAddress}]` : input.listenAddress;
  return `http://${host}:${input.webPort ?? 3000}`;
}

export { renderAdGuardHomeScript, renderCloudflaredScript };
