import { resolve } from "node:path";
import { readStackFile } from "../../config/stack-file";
import { collectPlan, type BoxPlan } from "../../box/lib/collect";
import { selectTiers, tierNames } from "../../box/lib/tiers";

const root = resolve(__dirname, "../..");

describe("box tier selection (prod)", () => {
  let plan: BoxPlan;
  beforeAll(async () => {
    plan = await collectPlan(readStackFile(root, "prod"), root, "seed");
  }, 60_000);

  it("names tiers after the site's components: their module and their own name", () => {
    const names = tierNames(plan);
    expect(names).toEqual(
      expect.arrayContaining(["data", "network", "ops", "apps", "database", "redis", "monitoring"]),
    );
    // The tunnel runs nothing in a guest: the tier owning a connector guest installs the connector.
    expect(names).not.toContain("tunnel");
    expect(names).not.toContain("proxmox-sites");
    expect(names).not.toContain("site");
  });

  it("runs the named tiers' guests and commands, what they wait for, and leaves the rest out", () => {
    const s = selectTiers(plan, ["data", "network", "monitoring"]);
    expect(s.plan.guests.map((g) => g.name).sort()).toEqual([
      "database-primary",
      "database-replica",
      "monitoring",
      "network-services",
      "redis",
    ]);
    const commands = s.plan.commands.map((c) => c.name);
    // Node steps of the monitoring tier run too (the node's exporter).
    expect(commands).toEqual(expect.arrayContaining(["pve-node-exporter", "redis-redis-exporter"]));
    expect(commands).not.toContain("pve-hardening");
    expect(s.leftOut.map((l) => l.name)).toEqual(
      expect.arrayContaining(["frappe", "nextcloud-bowbo-install"]),
    );
    // Every step runs after what it waits for, all of which are in the selection.
    const kept = new Set([...s.plan.guests, ...s.plan.commands].map((x) => x.urn));
    for (const step of [...s.plan.guests, ...s.plan.commands])
      for (const dep of step.after) expect([step.name, kept.has(dep)]).toEqual([step.name, true]);
  });

  it("runs an exporter with the tier that owns its guest, not with monitoring", () => {
    const commandsOf = (tiers: string[]) => selectTiers(plan, tiers).plan.commands.map((c) => c.name);
    expect(commandsOf(["redis"])).toEqual(
      expect.arrayContaining(["redis-bootstrap", "redis-redis-exporter"]),
    );
    expect(commandsOf(["database"])).toEqual(
      expect.arrayContaining(["database-primary-mysqld-exporter", "database-replica-mysqld-exporter"]),
    );
    expect(commandsOf(["monitoring"]).filter((c) => /-(mysqld|redis)-exporter$/.test(c))).toEqual([]);
    expect(commandsOf(["network-services"])).toContain("network-services-cloudflared");
  });

  it("pulls in what a named tier waits for from other tiers", () => {
    const s = selectTiers(plan, ["frappe"]);
    expect(s.plan.commands.map((c) => c.name)).toEqual(
      expect.arrayContaining(["frappe-install", "database-primary-bootstrap", "redis-bootstrap"]),
    );
    expect(s.pulledIn).toEqual(
      expect.arrayContaining(["database-primary", "redis", "database-primary-databases"]),
    );
    expect(s.plan.guests.map((g) => g.name)).not.toContain("monitoring");
  });

  it("rejects an unknown tier with the list of valid ones", () => {
    expect(() => selectTiers(plan, ["data", "dns"])).toThrow(
      /--tiers: dns is not a tier of prod; valid: apps, .*data, .*monitoring, .*network/,
    );
    expect(() => selectTiers(plan, [])).toThrow(/no tier named; valid:/);
  });
});
