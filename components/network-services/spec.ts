/** The network services tier: AdGuard Home as the LAN's DNS resolver (and, where listed, the tunnel's connector). */
import { PORTS } from "../../config/ports";
import { defineSingleGuestTier } from "../../config/single-guest-tier";

export const networkServicesTier = defineSingleGuestTier({
  id: "network-services",
  stackKey: "networkServices",
  defaultTemplate: "debian-12",
  role: "AdGuard Home DNS, cloudflared",
  stateful: false,
  wire(t) {
    const ns = t.site.networkServices;
    if (!ns) return;
    t.udp(t.lan, "network-services", PORTS.dns, "DNS");
    t.tcp(t.lan, "network-services", PORTS.dns, "DNS over TCP");
    t.tcp(t.admins, "network-services", PORTS.adguardUi, "AdGuard Home UI");
    if (ns.adguardHostname) {
      t.publish({
        hostname: ns.adguardHostname,
        target: "network-services",
        origin: `http://${ns.ip}:${PORTS.adguardUi}`,
        admin: true,
        description: "AdGuard Home",
      });
    }
  },
  publicNames: (site) => [
    { path: "networkServices.adguardHostname", name: site.networkServices?.adguardHostname },
  ],
  check(site) {
    const warnings = [];
    const ns = site.networkServices;
    if (ns && !ns.adguard) {
      warnings.push({
        path: "networkServices.adguard",
        message: "is not set: AdGuard Home is not installed until a release version is pinned",
      });
    } else if (ns?.adguard && !ns.adguard.sha256) {
      warnings.push({
        path: "networkServices.adguard.sha256",
        message:
          "is not set: the download is checked against the release's checksums.txt, not an independent pin",
      });
    }
    return { errors: [], warnings };
  },
});
