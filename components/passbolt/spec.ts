/** The Passbolt tier: the password manager on one guest, its database in MariaDB. */
import { PORTS } from "../../config/ports";
import { defineTier, lxcPlan } from "../../config/tier-spec";

export const passboltTier = defineTier({
  id: "passbolt",
  stackKey: "passbolt",
  defaultTemplate: "ubuntu-22-04",
  guests(site) {
    if (!site.passbolt) return [];
    return [lxcPlan(site, this, "passbolt", "passbolt", site.passbolt, "Passbolt password manager", true)];
  },
  needs: (site) =>
    site.passbolt ? [{ need: "database", account: "passbolt", clients: ["passbolt"], path: "passbolt" }] : [],
  wire(t) {
    const p = t.site.passbolt;
    if (!p) return;
    t.publish({
      hostname: p.publicHostname,
      target: "passbolt",
      origin: `http://${p.ip}:${PORTS.http}`,
      admin: false,
      description: "Passbolt",
    });
  },
  publicNames: (site) => [{ path: "passbolt.publicHostname", name: site.passbolt?.publicHostname }],
});
