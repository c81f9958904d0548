/**
 * A web guest's renderer input from the stack's `webApps.<role>.sites`: nginx in front of one Node.js
 * service per site hostname. The apps' code is deployed separately (CI or an operator copies a built
 * app into the service's directory); the service starts once its package.json is there. Pure: no
 * Pulumi import.
 */
import { webAppName } from "../../config/web-app-name";
import type { WebGuestInput } from "./render";
import type { WebApp } from "./service";

// Named in config/ so the stack is checked for two sites sharing a name; re-exported for the renderers.
export { webAppName };

/** A site of the stack: public hostname and the port its Node.js process listens on. */
export interface WebSiteConfig {
  hostname: string;
  port: number;
}

/** Where an app's code goes: `/srv/<name>`. */
export const WEB_APPS_ROOT = "/srv";
/** What each service runs: the `start` script of the app's package.json (`next start`, `node server.js`, …). */
export const WEB_APP_EXEC_START = "/usr/bin/npm start";
/** Trusted when no tunnel connector exists: loopback only, so no LAN client can set its own address. */
export const NO_TRUSTED_PROXY = "127.0.0.1";

/** The systemd service of a site: its own user and directory, the port from the stack. */
export function webAppFor(site: WebSiteConfig): WebApp {
  const name = webAppName(site.hostname);
  return {
    name,
    port: site.port,
    workingDirectory: `${WEB_APPS_ROOT}/${name}`,
    user: name,
    execStart: WEB_APP_EXEC_START,
  };
}

export interface WebGuestFacts {
  /** The guest's address: nginx listens there (the tunnel origin). */
  guestIp: string;
  /** Port nginx listens on (`PORTS.http`, the origin port the wiring publishes). */
  listenPort: number;
  sites: readonly WebSiteConfig[];
  /** Addresses of the tunnel connectors (`WebAppsArgs.trustedProxies`). */
  trustedProxies: readonly string[];
}

/**
 * The renderer input of a web guest, or undefined when it serves no site (nothing to provision yet).
 * Throws when two hostnames of the guest would share a service name.
 */
export function webGuestInputFor(facts: WebGuestFacts): WebGuestInput | undefined {
  if (facts.sites.length === 0) return undefined;
  const apps = facts.sites.map(webAppFor);
  const seen = new Map<string, string>();
  facts.sites.forEach((site, i) => {
    const other = seen.get(apps[i].name);
    if (other !== undefined)
      throw new Error(`webApps: ${other} and ${site.hostname} would share the service name ${apps[i].name}`);
    seen.set(apps[i].name, site.hostname);
  });
  return {
    listenAddress: facts.guestIp,
    listenPort: facts.listenPort,
    trustedProxies: facts.trustedProxies.length > 0 ? facts.trustedProxies : [NO_TRUSTED_PROXY],
    sites: facts.sites.map((s) => ({ hostname: s.hostname, upstreamPort: s.port })),
    apps,
  };
}
