/**
 * The school's registered firewall, translated to nftables and loaded into network namespaces that
 * stand in for four guests and the node, on the stack's own addresses (which exist only inside
 * these namespaces): every wiring edge between them connects, every other guest port does not, and
 * changing the registered input changes what is enforced.
 */
import { resolve } from "node:path";
import { translateFirewall } from "../../components/firewall/nftables";
import type { FirewallView } from "../../components/firewall/firewall-view";
import { PORTS } from "../../config/ports";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring } from "../../config/wiring";
import { portNumbers } from "../../config/service-edge";
import { runUnderMocks, type MockRun } from "../../scripts/lib/mock-run";
import { applyRuleset, firewallFromRun } from "../../scripts/box/firewall";
import { waitFor } from "../live/support/daemon";
import { NetnsLab, type ProbeResult } from "./support/netns-lab";

const root = resolve(__dirname, "../..");
const GUESTS = ["moodle-app1", "database-primary", "redis", "monitoring"];
const NODE = "pve-school";
const NODE_TARGET = `host:${NODE}`;
/** The balancers: keepalived's VRRP (IP protocol 112) between them must pass, from nobody else. */
const VRRP_PEERS = ["moodle-lb1", "moodle-lb2"];

/** Prints the source of every IP protocol 112 packet delivered to this namespace within argv[1] s. */
const VRRP_RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.settimeout(float(sys.argv[1]))
print("ready", flush=True)
try:
    while True:
        print("got", s.recvfrom(2048)[1][0], flush=True)
except socket.timeout:
    print("done", flush=True)
`;
/** Sends three VRRP-shaped packets (IP protocol 112) to argv[1]. */
const VRRP_SENDER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
for _ in range(3):
    s.sendto(bytes([0x21, 51, 100, 1, 0, 1, 0, 0]) + bytes(4), (sys.argv[1], 0))
`;

interface Member {
  ns: string;
  ip: string;
}

describe("the school's firewall enforced in network namespaces", () => {
  let lab: NetnsLab | undefined;
  let run: MockRun;
  let fw: FirewallView;
  const members = new Map<string, Member>();
  const peers = new Map<string, Member>();
  let edges: { from: string; to: string; port: number }[] = [];
  const ports = new Map<string, number[]>();

  const applyAll = (data: FirewallView) => {
    const rulesets = translateFirewall(data);
    for (const key of [...GUESTS, ...VRRP_PEERS])
      applyRuleset((members.get(key) ?? peers.get(key))!.ns, rulesets.guests.get(key)!);
    applyRuleset(members.get(NODE_TARGET)!.ns, rulesets.nodes.get(NODE)!);
  };
  const probe = (from: string, to: string, port: number): ProbeResult =>
    lab!.probe(members.get(from)!.ns, [[members.get(to)!.ip, port]])[0];

  beforeAll(async () => {
    run = await runUnderMocks("school", root);
    fw = firewallFromRun(run);
    const { config } = validateSiteConfig("school", readStackFile(root, "school").values);
    const inLab = new Set([...GUESTS, NODE_TARGET]);
    edges = siteWiring(config)
      .edges.filter(
        (e) => e.protocol === "tcp" && "guest" in e.from && inLab.has(e.from.guest) && inLab.has(e.to),
      )
      .flatMap((e) =>
        portNumbers(e).map((port) => ({ from: (e.from as { guest: string }).guest, to: e.to, port })),
      );
    // Every member sits on the node's local network (the school's one site network).
    const node = fw.hosts.find((n) => n.name === NODE)!;
    const prefix = node.localNetwork!.split("/")[1];
    lab = new NetnsLab(`fwt${process.pid}`);
    for (const key of GUESTS) {
      const guest = fw.guests.find((g) => g.key === key)!;
      members.set(key, {
        ns: lab.addMember(key, `${guest.nics[0].addresses[0]}/${prefix}`),
        ip: guest.nics[0].addresses[0],
      });
    }
    for (const key of VRRP_PEERS) {
      const address = fw.guests.find((g) => g.key === key)!.nics[0].addresses[0];
      peers.set(key, { ns: lab.addMember(key, `${address}/${prefix}`), ip: address });
    }
    members.set(NODE_TARGET, { ns: lab.addMember("node", `${node.address}/${prefix}`), ip: node.address! });
    // Every port some edge opens on a guest, plus SSH everywhere (opened only for the admin network);
    // on the node, its exporter and UI (opened by the node's own rules) and SSH.
    for (const key of GUESTS)
      ports.set(
        key,
        [...new Set([PORTS.ssh, ...edges.filter((e) => e.to === key).map((e) => e.port)])].sort(
          (a, b) => a - b,
        ),
      );
    ports.set(NODE_TARGET, [PORTS.ssh, PORTS.proxmoxUi, PORTS.nodeExporter]);
    for (const [key, list] of ports) await lab.listen(members.get(key)!.ns, list);
    applyAll(fw);
  }, 120000);

  afterAll(async () => {
    await lab?.destroy();
  }, 60000);

  it("has wiring edges among the chosen guests to test", () => {
    expect(edges).toEqual(
      expect.arrayContaining([
        { from: "moodle-app1", to: "database-primary", port: 3306 },
        { from: "moodle-app1", to: "redis", port: 6379 },
        { from: "monitoring", to: "database-primary", port: 9104 },
      ]),
    );
  });

  it("serves every probed port (each member reaches itself, which no firewall filters)", () => {
    for (const [key, list] of ports) {
      const { ns, ip } = members.get(key)!;
      expect(
        lab!.probe(
          ns,
          list.map((p) => [ip, p]),
        ),
      ).toEqual(list.map(() => "open"));
    }
  });

  it("connects every wiring edge and drops every other guest port", () => {
    const expected: Record<string, string> = {};
    const actual: Record<string, string> = {};
    for (const from of members.keys()) {
      const targets = [...ports]
        .filter(([to]) => to !== from && to !== NODE_TARGET)
        .flatMap(([to, list]) => list.map((port) => ({ to, port })));
      const results = lab!.probe(
        members.get(from)!.ns,
        targets.map((t) => [members.get(t.to)!.ip, t.port]),
      );
      targets.forEach((t, i) => {
        const id = `${from} → ${t.to}:${t.port}`;
        const edge = edges.some((e) => e.from === from && e.to === t.to && e.port === t.port);
        expected[id] = edge ? "open" : "timeout";
        actual[id] = results[i];
      });
    }
    expect(actual).toEqual(expected);
    expect(Object.values(expected).filter((v) => v === "open").length).toBeGreaterThanOrEqual(6);
    expect(actual["redis → database-primary:3306"]).toBe("timeout");
    expect(actual["monitoring → database-primary:3306"]).toBe("timeout");
  });

  it("enforces the node's rules: scrape from monitoring only, management ports from the whole local network", () => {
    expect(probe("monitoring", NODE_TARGET, 9100)).toBe("open");
    expect(probe("moodle-app1", NODE_TARGET, 9100)).toBe("timeout");
    expect(probe("redis", NODE_TARGET, 9100)).toBe("timeout");
    // Proxmox adds local_network to the management IP set: every guest on the LAN reaches 22 and 8006.
    expect(probe("redis", NODE_TARGET, 22)).toBe("open");
  });

  it("lets keepalived's VRRP adverts from the other balancer in, and from nobody else", async () => {
    const [lb1, lb2] = VRRP_PEERS.map((key) => peers.get(key)!);
    const app1 = members.get("moodle-app1")!;
    const receiver = lab!.start(lb1.ns, "python3", ["-c", VRRP_RECEIVER, "3"]);
    await waitFor("VRRP receiver", () => receiver.output().includes("ready"), 10000);
    lab!.run(lb2.ns, "python3", ["-c", VRRP_SENDER, lb1.ip]);
    lab!.run(app1.ns, "python3", ["-c", VRRP_SENDER, lb1.ip]);
    await waitFor("VRRP receiver to finish", () => receiver.output().includes("done"), 10000);
    const sources = new Set([...receiver.output().matchAll(/^got (\S+)$/gm)].map((m) => m[1]));
    expect([...sources]).toEqual([lb2.ip]);
  });

  describe("follows the registered input", () => {
    afterEach(() => applyAll(fw));

    it("opens the database to every guest when its registered inputPolicy becomes ACCEPT", () => {
      const options = run.resources.find(
        (r) =>
          r.type === "proxmoxve:firewall/optionsLegacy:OptionsLegacy" && r.name.includes("database-primary"),
      )!;
      const clearInputs = new Map(run.clearInputs);
      clearInputs.set(options.urn, { ...clearInputs.get(options.urn), inputPolicy: "ACCEPT" });
      expect(probe("redis", "database-primary", 3306)).toBe("timeout");
      applyAll(firewallFromRun({ ...run, clearInputs }));
      expect(probe("redis", "database-primary", 3306)).toBe("open");
      expect(probe("monitoring", "database-primary", 3306)).toBe("open");
    });

    it("answers with a TCP reset when the policy is REJECT", () => {
      applyAll(mutate(fw, (f) => (guest(f, "database-primary").options!.inputPolicy = "REJECT")));
      expect(probe("redis", "database-primary", 3306)).toBe("refused");
      expect(probe("moodle-app1", "database-primary", 3306)).toBe("open");
    });

    it("leaves a NIC unfiltered when its firewall flag is off", () => {
      applyAll(mutate(fw, (f) => (guest(f, "database-primary").nics[0].firewall = false)));
      expect(probe("redis", "database-primary", 3306)).toBe("open");
      expect(probe("redis", "moodle-app1", 22)).toBe("timeout");
    });

    it("filters nothing when the cluster firewall is off", () => {
      applyAll(mutate(fw, (f) => (f.cluster!.enabled = false)));
      expect(probe("redis", "database-primary", 3306)).toBe("open");
      expect(probe("moodle-app1", NODE_TARGET, 9100)).toBe("open");
    });

    it("drops what a rule no longer allows once the rule is disabled", () => {
      applyAll(
        mutate(fw, (f) => {
          for (const r of guest(f, "database-primary").rules)
            if (r.source === members.get("moodle-app1")!.ip) r.enabled = false;
        }),
      );
      expect(probe("moodle-app1", "database-primary", 3306)).toBe("timeout");
    });
  });
});

function mutate(fw: FirewallView, change: (copy: FirewallView) => void): FirewallView {
  const copy = structuredClone(fw);
  change(copy);
  return copy;
}

function guest(fw: FirewallView, key: string) {
  return fw.guests.find((g) => g.key === key)!;
}
