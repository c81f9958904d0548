import { resolve } from "node:path";
import { computeGuestFirewalls, isAllowed, type GuestFirewall } from "../../components/firewall/rules";
import { firewallModelFor } from "../../components/firewall/site-model";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { runUnderMocks, type MockRun } from "../../scripts/lib/mock-run";

const root = resolve(__dirname, "../..");
const firewallsOf = (stack: string): GuestFirewall[] =>
  computeGuestFirewalls(
    firewallModelFor(validateSiteConfig(stack, readStackFile(root, stack).values).config),
  );

type Probe = [string, string, number, "tcp" | "udp", boolean, string];

const prodProbes: Probe[] = [
  ["192.168.0.40", "database-primary", 3306, "tcp", true, "Nextcloud bowbo reaches its database"],
  ["192.168.0.11", "database-primary", 3306, "tcp", true, "the replica replicates"],
  ["192.168.0.31", "database-primary", 9104, "tcp", true, "monitoring scrapes the MariaDB exporter"],
  ["192.168.0.40", "redis", 6379, "tcp", true, "Nextcloud bowbo uses Redis"],
  ["192.168.0.51", "redis", 6379, "tcp", false, "Snipe-IT is not wired to Redis"],
  ["192.168.0.20", "database-primary", 3306, "tcp", false, "the web frontend has no database"],
  ["192.168.0.40", "nextcloud-maro", 80, "tcp", false, "one tenant's Nextcloud cannot reach the other's"],
  ["203.0.113.9", "database-primary", 3306, "tcp", false, "the internet never reaches MariaDB"],
  ["203.0.113.9", "nextcloud-bowbo", 22, "tcp", false, "SSH only from the admin networks"],
  ["192.168.0.201", "nextcloud-bowbo", 22, "tcp", true, "an admin workstation reaches SSH"],
  ["192.168.0.30", "nextcloud-bowbo", 80, "tcp", true, "the tunnel connector reaches a published origin"],
  ["192.168.0.30", "database-primary", 3306, "tcp", false, "the connector never reaches the database"],
  ["192.168.0.77", "network-services", 53, "udp", true, "the LAN resolves through AdGuard"],
];

const schoolProbes: Probe[] = [
  ["10.10.0.21", "moodle-app2", 80, "tcp", true, "a balancer reaches an app node"],
  ["10.10.0.31", "moodle-app2", 80, "tcp", false, "app nodes do not talk to each other"],
  ["10.10.0.2", "moodle-files", 2049, "tcp", true, "the Proxmox node mounts the moodledata storage"],
  ["10.10.0.31", "moodle-files", 2049, "tcp", false, "app nodes mount nothing (bind mount from the node)"],
  ["10.10.0.21", "moodle-files", 2049, "tcp", false, "balancers do not mount moodledata"],
  ["10.10.0.33", "database-primary", 3306, "tcp", true, "app3 reaches the database"],
  ["10.10.0.21", "database-primary", 3306, "tcp", false, "a balancer never reaches the database"],
  ["10.10.0.33", "redis", 6379, "tcp", true, "app3 keeps sessions in Redis"],
  ["10.10.0.31", "moodle-lb1", 8404, "tcp", false, "HAProxy stats not from an app node"],
];

describe.each([
  ["prod", prodProbes],
  ["school", schoolProbes],
])("the %s firewall follows the wiring", (stack, probes) => {
  const firewalls = firewallsOf(stack);

  it.each(probes)("%s → %s:%d/%s allowed=%s (%s)", (fromIp, toGuest, port, proto, allowed) => {
    expect(isAllowed(firewalls, { fromIp, toGuest, port, proto })).toBe(allowed);
  });

  it("drops inbound by default on every guest", () => {
    for (const fw of firewalls)
      expect(fw.options).toEqual({ enabled: true, inputPolicy: "DROP", outputPolicy: "ACCEPT" });
  });
});

describe("the firewall resources", () => {
  let run: MockRun;
  beforeAll(async () => {
    run = await runUnderMocks("school");
  });

  it("carry exactly the computed rules for every guest, after the management IP set and the cluster switch", () => {
    const rules = run.resources.filter(
      (r) => r.type === "proxmoxve:firewall/rulesLegacy:RulesLegacy" && r.inputs.containerId !== undefined,
    );
    const expected = firewallsOf("school");
    expect(rules.map((r) => r.inputs.containerId).sort()).toEqual(expected.map((f) => f.vmid).sort());
    for (const fw of expected) {
      const registered = rules.find((r) => r.inputs.containerId === fw.vmid)!;
      expect(registered.inputs.rules).toEqual(fw.rules.map((r) => ({ ...r, enabled: true })));
    }
    const cluster = run.resources.find((r) => r.type === "proxmoxve:cluster/firewallLegacy:FirewallLegacy")!;
    expect(cluster.inputs).toMatchObject({ enabled: true, inputPolicy: "DROP" });
    expect(cluster.dependsOn.some((u) => u.endsWith("::firewall-management"))).toBe(true);
  });
});
