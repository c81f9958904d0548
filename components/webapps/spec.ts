/** The web tier: a frontend and a backend guest, each serving its sites with Node.js behind nginx. */
import { PORTS } from "../../config/ports";
import { defineTier, lxcPlan } from "../../config/tier-spec";

const ROLES = ["frontend", "backend"] as const;

export const webAppsTier = defineTier({
  id: "web",
  stackKey: "webApps",
  defaultTemplate: "ubuntu-22-04",
  guests(site) {
    const w = site.webApps;
    if (!w) return [];
    return [
      lxcPlan(
        site,
        this,
        "frontend",
        "webApps.frontend",
        w.frontend,
        "Web frontend (Node.js + nginx)",
        false,
      ),
      lxcPlan(
        site,
        this,
        "backend",
        "webApps.backend",
        w.backend,
        "Web backend APIs (Node.js + nginx)",
        false,
      ),
    ];
  },
  wire(t) {
    const w = t.site.webApps;
    if (!w) return;
    for (const role of ROLES) {
      for (const s of w[role].sites) {
        t.publish({
          hostname: s.hostname,
          target: role,
          origin: `http://${w[role].ip}:${PORTS.http}`,
          admin: false,
          description: `website on ${role}`,
        });
      }
    }
  },
  publicNames: (site) =>
    ROLES.flatMap((role) =>
      (site.webApps?.[role].sites ?? []).map((s, i) => ({
        path: `webApps.${role}.sites.${i}.hostname`,
        name: s.hostname,
      })),
    ),
});
