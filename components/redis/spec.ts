/** The Redis tier: one cache for the applications' caches, locks, queues and sessions (an ACL user each). */
import { PORTS } from "../../config/ports";
import { defineTier, lxcPlan } from "../../config/tier-spec";

export const redisTier = defineTier({
  id: "redis",
  stackKey: "redis",
  provides: "redis",
  defaultTemplate: "debian-12",
  guests(site) {
    if (!site.redis) return [];
    return [lxcPlan(site, this, "redis", "redis", site.redis, "Redis cache, queues and sessions", false)];
  },
  wire(t) {
    if (!t.has("redis")) return;
    for (const use of t.needUses.filter((u) => u.need === "redis"))
      for (const c of use.clients) t.tcp({ guest: c }, "redis", PORTS.redis, "cache, locks and sessions");
  },
  scrapeTargets(_site, guests) {
    return guests
      .filter((g) => g.key === "redis")
      .map((g) => ({
        job: "redis" as const,
        instance: g.hostname,
        address: g.ip,
        port: PORTS.redisExporter,
        target: g.key,
      }));
  },
});
