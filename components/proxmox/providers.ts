import * as cloudflare from "@pulumi/cloudflare";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { SiteSecrets } from "../../config/load";
import type { SiteConfig } from "../../config/schema";

/** The providers every resource of a site uses explicitly. */
export interface SiteProviders {
  /** API-token provider: least privilege, used for everything a token may do. */
  proxmox: proxmoxve.Provider;
  /**
   * The root@pam password provider, only for what a token cannot do (privileged containers,
   * container features other than nesting such as keyctl, host bind mounts). Registered on first
   * use, so a stack without such a guest has none. Its password is the `proxmoxRootPassword`
   * secret; without it the provider reads PROXMOX_VE_PASSWORD from the environment.
   */
  proxmoxRoot: () => proxmoxve.Provider;
  cloudflare?: cloudflare.Provider;
}

function sshSettings(site: SiteConfig, secrets: SiteSecrets) {
  return {
    username: site.proxmox.sshUser,
    // The SDK does not mark the ssh block secret: the key stays a secret Output here.
    privateKey: secrets.proxmoxSshPrivateKey,
    agent: secrets.proxmoxSshPrivateKey === undefined,
    nodes: site.proxmox.nodes.map((n) => ({ name: n.name, address: n.address })),
  };
}

/**
 * Builds the providers from config. Without a token in config the provider falls back to
 * PROXMOX_VE_API_TOKEN; Cloudflare likewise to CLOUDFLARE_API_TOKEN.
 */
export function createProviders(
  name: string,
  site: SiteConfig,
  secrets: SiteSecrets,
  opts: pulumi.CustomResourceOptions,
): SiteProviders {
  const proxmox = new proxmoxve.Provider(
    `${name}-proxmox`,
    {
      endpoint: site.proxmox.endpoint,
      insecure: site.proxmox.insecure,
      apiToken: secrets.proxmoxApiToken,
      ssh: sshSettings(site, secrets),
    },
    opts,
  );
  let root: proxmoxve.Provider | undefined;
  const proxmoxRoot = () =>
    (root ??= new proxmoxve.Provider(
      `${name}-proxmox-root`,
      {
        endpoint: site.proxmox.endpoint,
        insecure: site.proxmox.insecure,
        username: "root@pam",
        password: secrets.proxmoxRootPassword,
        ssh: sshSettings(site, secrets),
      },
      opts,
    ));
  const cf = site.tunnel
    ? new cloudflare.Provider(`${name}-cloudflare`, { apiToken: secrets.cloudflareApiToken }, opts)
    : undefined;
  return { proxmox, proxmoxRoot, cloudflare: cf };
}
