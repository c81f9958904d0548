import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { CloudflareConfig, TunnelConfig } from "../../config/tier-configs";
import { CLOUDFLARED_TOKEN_ENV, renderCloudflaredScript } from "../network-services/cloudflared";
import type { ConnectorInstall } from "../core/handed-steps";
import type { PublishedService } from "../../config/wiring";
import { accessProtected, tunnelIngress } from "./ingress";

export interface CloudflareTunnelArgs {
  /** The stack's `tunnel` key. */
  config: TunnelConfig;
  /** The Cloudflare account and zone (`cloudflare`). */
  cloudflare: CloudflareConfig;
  /** The client's short name (`site.slug`): names the Access policy and applications. */
  siteSlug: string;
  /** Who Cloudflare Access lets in to the admin tools (`site.adminEmails`). */
  adminEmails: readonly string[];
  /** What the site publishes (the service graph's published names). */
  published: PublishedService[];
  provider: cloudflare.Provider;
}

/**
 * A remotely managed Cloudflare Tunnel: ingress generated from what the site publishes, a
 * proxied CNAME per hostname, and Cloudflare Access in front of every admin tool. The connector
 * (cloudflared with the tunnel's token) is installed by the tier owning each connector guest
 * (`tunnel.connectorGuests`; two give the tunnel a standby connector), from `connector`.
 */
export class CloudflareTunnel extends pulumi.ComponentResource {
  readonly tunnel: cloudflare.ZeroTrustTunnelCloudflared;
  /** The connector token (secret), handed to cloudflared on the connector guests. */
  readonly token: pulumi.Output<string>;
  readonly hostnames: string[];
  /** The connector install the Site hands to the tiers owning the connector guests; absent when no release is pinned. */
  readonly connector?: ConnectorInstall;

  constructor(name: string, args: CloudflareTunnelArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:network:CloudflareTunnel", name, {}, opts);
    const t = args.config;
    const { accountId, zoneId } = args.cloudflare;
    const child = { parent: this, provider: args.provider };
    const secret = new random.RandomBytes(`${name}-secret`, { length: 32 }, { parent: this });
    this.tunnel = new cloudflare.ZeroTrustTunnelCloudflared(
      name,
      { accountId, name: t.name, configSrc: "cloudflare", tunnelSecret: secret.base64 },
      // A replaced tunnel has failed with a name conflict (pulumi-cloudflare#1440): keep it.
      { ...child, protect: true },
    );
    const ingress = tunnelIngress(args.published);
    new cloudflare.ZeroTrustTunnelCloudflaredConfig(
      `${name}-config`,
      { accountId, tunnelId: this.tunnel.id, source: "cloudflare", config: { ingresses: ingress } },
      child,
    );
    this.hostnames = ingress.flatMap((r) => (r.hostname ? [r.hostname] : []));
    for (const hostname of this.hostnames) {
      new cloudflare.DnsRecord(
        `${name}-dns-${hostname}`,
        {
          zoneId,
          name: hostname,
          type: "CNAME",
          content: pulumi.interpolate`${this.tunnel.id}.cfargotunnel.com`,
          proxied: true,
          ttl: 1,
          comment: `tunnel ${t.name} (proxmox-sites)`,
        },
        child,
      );
    }
    const admins = accessProtected(args.published);
    if (admins.length > 0) {
      const policy = new cloudflare.ZeroTrustAccessPolicy(
        `${name}-admins`,
        {
          accountId,
          name: `${args.siteSlug} administrators`,
          decision: "allow",
          includes: [
            ...args.adminEmails.map((email) => ({ email: { email } })),
            ...(t.accessEmailDomain ? [{ emailDomain: { domain: t.accessEmailDomain } }] : []),
          ],
          sessionDuration: t.accessSessionDuration,
        },
        child,
      );
      for (const svc of admins) {
        new cloudflare.ZeroTrustAccessApplication(
          `${name}-access-${svc.hostname}`,
          {
            accountId,
            name: `${svc.description} (${args.siteSlug})`,
            type: "self_hosted",
            destinations: [{ type: "public", uri: svc.hostname }],
            policies: [{ id: policy.id, precedence: 1 }],
            sessionDuration: t.accessSessionDuration,
            appLauncherVisible: true,
          },
          child,
        );
      }
    }
    this.token = pulumi.secret(
      cloudflare.getZeroTrustTunnelCloudflaredTokenOutput(
        { accountId, tunnelId: this.tunnel.id },
        { parent: this, provider: args.provider },
      ).token,
    );
    const release = t.cloudflared;
    if (release) {
      const script = renderCloudflaredScript({
        version: release.version,
        sha256: release.sha256,
        baseUrl: release.baseUrl,
        arch: "amd64",
      });
      // Run by the tier that owns each connector guest; this component ran it before (the alias).
      this.connector = {
        guests: t.connectorGuests,
        script,
        secrets: { [CLOUDFLARED_TOKEN_ENV]: this.token },
        formerParent: this,
      };
    }
    this.registerOutputs({
      tunnel: this.tunnel,
      token: this.token,
      hostnames: this.hostnames,
      connector: this.connector,
    });
  }
}
