/** The Snipe-IT tier: asset management from the TurnKey template, its database in MariaDB. */
import { PORTS } from "../../config/ports";
import { defineTier, lxcPlan } from "../../config/tier-spec";

export const snipeItTier = defineTier({
  id: "snipe-it",
  stackKey: "snipeIt",
  defaultTemplate: "turnkey-snipeit",
  guests(site) {
    if (!site.snipeIt) return [];
    return [lxcPlan(site, this, "snipe-it", "snipeIt", site.snipeIt, "Snipe-IT asset management", false)];
  },
  needs: (site) =>
    site.snipeIt ? [{ need: "database", account: "snipeit", clients: ["snipe-it"], path: "snipeIt" }] : [],
  wire(t) {
    const s = t.site.snipeIt;
    if (!s) return;
    t.publish({
      hostname: s.publicHostname,
      target: "snipe-it",
      origin: `http://${s.ip}:${PORTS.http}`,
      admin: false,
      description: "Snipe-IT",
    });
  },
  publicNames: (site) => [{ path: "snipeIt.publicHostname", name: site.snipeIt?.publicHostname }],
});
