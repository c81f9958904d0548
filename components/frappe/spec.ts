/** The Frappe tier: ERPNext in Docker on one guest, its site database in MariaDB and its queues in Redis. */
import { PORTS } from "../../config/ports";
import { defineTier, lxcPlan } from "../../config/tier-spec";

export const frappeTier = defineTier({
  id: "frappe",
  stackKey: "frappe",
  defaultTemplate: "ubuntu-22-04",
  guests(site) {
    if (!site.frappe) return [];
    return [lxcPlan(site, this, "frappe", "frappe", site.frappe, "ERPNext on Frappe (Docker)", true)];
  },
  // MariaDB site database; Redis for cache, the job queue and socket.io.
  needs(site) {
    if (!site.frappe) return [];
    return [
      { need: "database", account: "frappe", clients: ["frappe"], path: "frappe" },
      { need: "redis", account: "frappe", redisKind: "frappe", clients: ["frappe"], path: "frappe" },
    ];
  },
  wire(t) {
    const f = t.site.frappe;
    if (!f) return;
    t.publish({
      hostname: f.publicHostname,
      target: "frappe",
      origin: `http://${f.ip}:${PORTS.frappe}`,
      admin: false,
      description: "ERPNext",
    });
  },
  publicNames: (site) => [{ path: "frappe.publicHostname", name: site.frappe?.publicHostname }],
});
