import * as pulumi from "@pulumi/pulumi";
import { loadSite } from "../config/load";
import { Site } from "./site";

/** The whole program: read and validate the stack, build the site, return the stack outputs. */
export function buildProgram() {
  const loaded = loadSite();
  const site = new Site(loaded.config.site.slug, { config: loaded.config, secrets: loaded.secrets });
  return {
    client: loaded.config.site.client,
    guests: site.wiring.guests.map((g) => ({ key: g.key, vmid: g.vmid, hostname: g.hostname, ip: g.ip })),
    publishedHostnames: site.wiring.published.map((p) => p.hostname),
    databaseHost: site.database?.endpoint.host,
    warnings: loaded.warnings.map((w) => `${w.path}: ${w.message}`),
    rebootRequired: site.hosts.rebootRequired,
    // Secret as a whole: `pulumi stack output adminLogins --show-secrets` after the first up.
    adminLogins: pulumi.secret(site.adminLogins),
  };
}
