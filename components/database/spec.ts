/** The database tier: a MariaDB primary and an optional async replica every application's database lives on. */
import { PORTS } from "../../config/ports";
import { defineTier, lxcPlan, type GuestPlan } from "../../config/tier-spec";

export const databaseTier = defineTier({
  id: "database",
  stackKey: "database",
  provides: "database",
  defaultTemplate: "debian-12",
  guests(site) {
    const db = site.database;
    if (!db) return [];
    return [
      lxcPlan(site, this, "database-primary", "database.primary", db.primary, "MariaDB primary", true),
      ...(db.replica
        ? [
            lxcPlan(
              site,
              this,
              "database-replica",
              "database.replica",
              db.replica,
              "MariaDB async replica",
              true,
            ),
          ]
        : []),
    ];
  },
  wire(t) {
    if (!t.has("database-primary")) return;
    for (const use of t.needUses.filter((u) => u.need === "database"))
      for (const c of use.clients)
        t.tcp({ guest: c }, "database-primary", PORTS.mariadb, "application database");
    if (t.has("database-replica"))
      t.tcp({ guest: "database-replica" }, "database-primary", PORTS.mariadb, "replication");
  },
  scrapeTargets(_site, guests) {
    return guests
      .filter((g): g is GuestPlan => g.key === "database-primary" || g.key === "database-replica")
      .sort((a, b) => (a.key === "database-primary" ? -1 : b.key === "database-primary" ? 1 : 0))
      .map((g) => ({
        job: "mysqld" as const,
        instance: g.hostname,
        address: g.ip,
        port: PORTS.mysqldExporter,
        target: g.key,
      }));
  },
  check(site) {
    const warnings = [];
    const replica = site.database?.replica;
    const primary = site.database?.primary;
    if (replica && primary) {
      if (replica.node && primary.node && replica.node === primary.node && site.proxmox.nodes.length > 1) {
        warnings.push({
          path: "database.replica.node",
          message: "runs on the same node as the primary; spread them for resilience",
        });
      }
    }
    return { errors: [], warnings };
  },
});
