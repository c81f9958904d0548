/**
 * The pure parts of the box's firewall and changed-value checks: which wiring edge lets a source
 * in, reading the connect probe, the mirror's exemption, the files a rendered script writes, a stack
 * edit that keeps the file's layout, and which commands' inputs changed between two box plans.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  changedFiles,
  commandsWithChangedInputs,
  editStackText,
  scriptFiles,
} from "../../box/lib/changed-value";
import type { BoxCommand, BoxPlan } from "../../box/lib/collect";
import { exemptionRules } from "../../box/lib/firewall";
import { edgeFor, exportLine, nodeEdges } from "../../box/lib/firewall-checks";
import { parseProbe, probeScript } from "../../box/lib/reach";
import { renderFileStep, renderStdin } from "../../components/proxmox/script";
import { readStackFile, parseStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring } from "../../config/wiring";
import { edgePortsText } from "../../config/service-edge";

const root = resolve(__dirname, "../..");
const school = validateSiteConfig("school", readStackFile(root, "school").values).config;

describe("edgeFor", () => {
  const edges = siteWiring(school).edges;

  it("finds the wiring edge of a guest, and none for a guest without one", () => {
    expect(edgeFor(edges, { key: "moodle-app1", ip: "10.10.0.31" }, "database-primary", 3306)?.purpose).toBe(
      "application database",
    );
    expect(
      edgeFor(edges, { key: "database-replica", ip: "10.10.0.11" }, "database-primary", 3306)?.purpose,
    ).toBe("replication");
    expect(edgeFor(edges, { key: "monitoring", ip: "10.10.0.50" }, "database-primary", 3306)).toBeUndefined();
    expect(edgeFor(edges, { key: "moodle-lb1", ip: "10.10.0.21" }, "redis", 6379)).toBeUndefined();
  });

  it("matches an edge from a network by the source's address", () => {
    expect(edgeFor(edges, { key: "admin workstation", ip: "10.10.0.201" }, "monitoring", 9090)).toBeDefined();
    expect(
      edgeFor(edges, { key: "admin workstation", ip: "10.10.0.99" }, "monitoring", 9090),
    ).toBeUndefined();
  });
});

describe("nodeEdges", () => {
  it("takes the nodes' scrape targets (from monitoring) and the published Proxmox UI (from the connectors)", () => {
    const edges = nodeEdges(school).map(
      (e) => `${"guest" in e.from ? e.from.guest : e.from.label} → ${e.to}:${edgePortsText(e)}`,
    );
    expect(edges).toEqual(
      expect.arrayContaining([
        "monitoring → host:pve-school:9100",
        "monitoring → host:pve-school4:9100",
        "moodle-lb1 → host:pve-school:8006",
        "moodle-lb2 → host:pve-school:8006",
        "admin → host:pve-school:8006",
      ]),
    );
    expect(edges).not.toContain("moodle-lb1 → host:pve-school2:8006");
  });
});

describe("the connect probe", () => {
  it("connects to each target once and reads open, dropped (timeout) and refused", () => {
    const script = probeScript([
      { key: "a", ip: "10.10.0.10", port: 3306 },
      { key: "b", ip: "10.10.0.12", port: 6379 },
    ]);
    expect(script).toContain("for t in 10.10.0.10:3306 10.10.0.12:6379; do");
    expect(parseProbe("10.10.0.10:3306 0\n10.10.0.12:6379 124\n10.10.0.2:22 1\n")).toEqual(
      new Map([
        ["10.10.0.10:3306", "open"],
        ["10.10.0.12:6379", "dropped"],
        ["10.10.0.2:22", "refused"],
      ]),
    );
  });
});

describe("exemptionRules", () => {
  const mirror = { address: "10.10.0.2", port: 443, why: "vendor mirror" };
  const filtered = "table inet pve_firewall {\n  chain host_in {\n  }\n}\n";

  it("accepts the mirror's port on its own node, ahead of the node's rules", () => {
    expect(exemptionRules("10.10.0.2", filtered, [mirror])).toBe(
      'insert rule inet pve_firewall host_in ip daddr 10.10.0.2 tcp dport 443 accept comment "box: vendor mirror"\n',
    );
  });

  it("adds nothing on another node or where the firewall is off (no table to insert into)", () => {
    expect(exemptionRules("10.10.0.3", filtered, [mirror])).toBe("");
    expect(exemptionRules("10.10.0.2", "delete table inet pve_firewall\n", [mirror])).toBe("");
  });
});

describe("exportLine", () => {
  it("finds a secret's export line in a registered stdin, and nothing for another name", () => {
    const stdin = renderStdin({ MOODLE_REDIS_PASSWORD: "s3cret", OTHER: "x" }, "#!/usr/bin/env bash\n");
    expect(exportLine(stdin, "MOODLE_REDIS_PASSWORD")).toBe("export MOODLE_REDIS_PASSWORD='s3cret'");
    expect(exportLine(stdin, "MOODLE_DB_PASSWORD")).toBeUndefined();
  });
});

describe("the files a rendered script writes", () => {
  const step = (content: string) =>
    renderFileStep({ path: "/etc/redis/redis.conf", content, onChange: "systemctl restart redis-server" });
  const script = (memory: string) =>
    [
      "#!/usr/bin/env bash",
      step(`maxmemory ${memory}\n`),
      renderFileStep({ path: "/etc/redis/users.acl", content: "user admin on\n" }),
    ].join("\n");

  it("reads every file step's path and content", () => {
    expect(scriptFiles(script("100mb"))).toEqual(
      new Map([
        ["/etc/redis/redis.conf", "maxmemory 100mb\n"],
        ["/etc/redis/users.acl", "user admin on\n"],
      ]),
    );
  });

  it("names only the files whose content differs", () => {
    expect(changedFiles(script("100mb"), script("200mb"))).toEqual(["/etc/redis/redis.conf"]);
    expect(changedFiles(script("100mb"), script("100mb"))).toEqual([]);
  });
});

describe("editStackText", () => {
  const text = readFileSync(resolve(root, "Pulumi.school.yaml"), "utf8");

  it("changes one value and keeps every other value and the comments", () => {
    const edited = editStackText(text, { path: ["redis", "memoryMb"], value: 5120 });
    expect(edited.before).toBe(4096);
    const file = parseStackFile("school", edited.text);
    expect((file.values.redis as { memoryMb: number }).memoryMb).toBe(5120);
    expect({ ...file.values, redis: undefined }).toEqual({
      ...readStackFile(root, "school").values,
      redis: undefined,
    });
    expect(edited.text).toContain("# Moodle cluster for a school.");
  });

  it("refuses a key the stack does not set, and a value that is no change", () => {
    expect(() => editStackText(text, { path: ["redis", "nope"], value: 1 })).toThrow(/redis.nope: not set/);
    expect(() => editStackText(text, { path: ["redis", "memoryMb"], value: 4096 })).toThrow(/not a change/);
  });
});

describe("commandsWithChangedInputs", () => {
  const command = (name: string, stdin: string): BoxCommand => ({
    urn: `urn:${name}`,
    name,
    host: "10.10.0.2",
    create: "pct exec 102 -- bash -s",
    stdin,
    after: [],
  });
  const plan = (commands: BoxCommand[]): BoxPlan => ({
    stack: "school",
    guests: [],
    nfsStorages: [],
    commands,
    resources: [],
  });

  it("names the commands whose stdin changed, appeared or went", () => {
    const before = plan([command("a", "1"), command("b", "1"), command("gone", "1")]);
    const after = plan([command("a", "1"), command("b", "2"), command("new", "1")]);
    expect(commandsWithChangedInputs(before, after)).toEqual(["b", "gone", "new"]);
  });
});
