import ipaddr from "ipaddr.js";
import type { GuestPlan } from "./inventory";
import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";
import { webAppName } from "./web-app-name";

/**
 * Checks of values a daemon or renderer would refuse later that span more than one key, so the
 * problem is named at the stack key before any resource registers (the renderers keep their own
 * checks as a second line).
 */

const isIp = (v: string) => ipaddr.IPv4.isValidFourPartDecimal(v) || ipaddr.IPv6.isValid(v);

/** Every Moodle app node runs the same PHP: one template for all (the cluster plan refuses a mix). */
function moodleTemplates(site: SiteConfig, guests: readonly GuestPlan[]): ConfigProblem[] {
  if (!site.moodle) return [];
  const nodes = Object.keys(site.moodle.nodes).map((key) => ({
    key,
    template: guests.find((g) => g.key === `moodle-${key}`)?.template,
  }));
  const first = nodes[0];
  return nodes
    .filter((n) => n.template !== first?.template)
    .map((n) => ({
      path: `moodle.nodes.${n.key}.template`,
      message: `"${n.template}" differs from moodle.nodes.${first.key}'s "${first.template}": every app node needs the same template (one PHP version)`,
    }));
}

/** AdGuard Home resolves its upstreams' names through a plain-IP resolver that is not itself. */
function adguardBootstrap(site: SiteConfig): ConfigProblem[] {
  const ns = site.networkServices;
  if (!ns?.adguard) return [];
  if (ns.upstreamDns.some(isIp)) return [];
  if (site.network.dns.some((d) => isIp(d) && d !== ns.ip)) return [];
  return [
    {
      path: "networkServices.upstreamDns",
      message: `has no plain IP address, and network.dns has no server other than AdGuard itself (${ns.ip}) to resolve ${ns.upstreamDns.join(", ")} with`,
    },
  ];
}

/** Each web site becomes a service and user named after its hostname, on its own port of the guest. */
function webSites(site: SiteConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const role of ["frontend", "backend"] as const) {
    const names = new Map<string, number>();
    const ports = new Map<number, number>();
    site.webApps?.[role].sites.forEach((s, i) => {
      const name = webAppName(s.hostname);
      const sameName = names.get(name);
      if (sameName !== undefined)
        problems.push({
          path: `webApps.${role}.sites.${i}.hostname`,
          message: `${s.hostname} and webApps.${role}.sites.${sameName}.hostname would share the service and user name ${name}`,
        });
      const samePort = ports.get(s.port);
      if (samePort !== undefined)
        problems.push({
          path: `webApps.${role}.sites.${i}.port`,
          message: `${s.port} is already the port of webApps.${role}.sites.${samePort} on the same guest`,
        });
      names.set(name, names.get(name) ?? i);
      ports.set(s.port, ports.get(s.port) ?? i);
    });
  }
  return problems;
}

export function checkParsedValues(site: SiteConfig, guests: readonly GuestPlan[]): ConfigProblem[] {
  return [...moodleTemplates(site, guests), ...adguardBootstrap(site), ...webSites(site)];
}
