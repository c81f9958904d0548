/**
 * The evaluator of registered firewall resources (components/firewall/evaluate.ts) on small
 * hand-made inputs: each case is one documented pve-firewall behaviour (pve-docs `pve-firewall`,
 * PVE::Firewall's host chain), so a wrong reading of Proxmox shows here first.
 */
import fc from "fast-check";
import { FirewallEvaluator, type Packet } from "../../components/firewall/evaluate";
import {
  FIREWALL_TYPES,
  registeredFirewallFrom,
  type RegisteredFirewall,
  type RuleInputs,
} from "../../components/firewall/registered";

const WEB = 100; // 10.0.0.10, net0
const DB = 101; // 10.0.0.11, net0; net1 10.1.0.11
const OUTSIDE = "198.51.100.7";

function site(edit: (fw: RegisteredFirewall) => void = () => undefined): FirewallEvaluator {
  const fw: RegisteredFirewall = {
    cluster: { enabled: true, inputPolicy: "DROP", outputPolicy: "ACCEPT" },
    options: [
      { nodeName: "pve", containerId: WEB, enabled: true, inputPolicy: "DROP", outputPolicy: "ACCEPT" },
      { nodeName: "pve", containerId: DB, enabled: true, inputPolicy: "DROP", outputPolicy: "ACCEPT" },
    ],
    rules: [],
    ipsets: [],
    aliases: [],
    securityGroups: [],
    containers: [
      {
        vmId: WEB,
        nodeName: "pve",
        networkInterfaces: [{ name: "eth0", firewall: true }],
        initialization: { hostname: "web", ipConfigs: [{ ipv4: { address: "10.0.0.10/24" } }] },
      },
      {
        vmId: DB,
        nodeName: "pve",
        networkInterfaces: [
          { name: "eth0", firewall: true },
          { name: "eth1", firewall: true },
        ],
        initialization: {
          hostname: "db",
          ipConfigs: [{ ipv4: { address: "10.0.0.11/24" } }, { ipv4: { address: "10.1.0.11/24" } }],
        },
      },
    ],
    vms: [],
    hosts: [{ name: "pve", address: "10.0.0.2" }],
    localNetwork: "10.0.0.0/24",
  };
  edit(fw);
  return new FirewallEvaluator(fw);
}

const dbRules = (rules: RuleInputs[]) => (fw: RegisteredFirewall) => {
  fw.rules.push({ nodeName: "pve", containerId: DB, rules });
};
const webToDb = (dport = 3306, proto = "tcp"): Packet => ({
  from: { guest: WEB },
  to: { guest: DB },
  proto,
  dport,
});
const accept = (r: RuleInputs = {}): RuleInputs => ({
  type: "in",
  action: "ACCEPT",
  proto: "tcp",
  dport: "3306",
  ...r,
});

describe("what is filtered at all", () => {
  it("nothing when the cluster firewall is off or absent", () => {
    expect(site((fw) => (fw.cluster!.enabled = false)).decide(webToDb()).allowed).toBe(true);
    expect(site((fw) => delete fw.cluster).decide(webToDb()).allowed).toBe(true);
  });

  it("not a guest without options, with its firewall off, or whose NIC has firewall=0", () => {
    expect(site((fw) => fw.options.pop()).decide(webToDb()).allowed).toBe(true);
    expect(site((fw) => (fw.options[1].enabled = false)).decide(webToDb()).allowed).toBe(true);
    const flagOff = site((fw) => (fw.containers[1].networkInterfaces![0].firewall = false));
    expect(flagOff.decide(webToDb())).toMatchObject({
      allowed: true,
      reason: expect.stringContaining("firewall=0"),
    });
  });

  it("a filtered guest drops what no rule accepts (policy DROP by default), accepts with policy ACCEPT", () => {
    expect(site().decide(webToDb())).toMatchObject({ allowed: false, reason: "db (101) in: policy DROP" });
    expect(site((fw) => delete fw.options[1].inputPolicy).decide(webToDb()).allowed).toBe(false);
    expect(site((fw) => (fw.options[1].inputPolicy = "ACCEPT")).decide(webToDb()).allowed).toBe(true);
  });
});

describe("rules", () => {
  it("are read top-down: the first match decides", () => {
    const drop = { ...accept(), action: "DROP" };
    expect(site(dbRules([drop, accept()])).decide(webToDb()).allowed).toBe(false);
    expect(site(dbRules([accept(), drop])).decide(webToDb()).allowed).toBe(true);
    expect(site(dbRules([{ ...drop, enabled: false }, accept()])).decide(webToDb()).allowed).toBe(true);
  });

  it("match source, protocol (by name or number) and port lists with ranges", () => {
    const ev = site(
      dbRules([
        accept({ source: "10.0.0.10", dport: "80,3300:3310" }),
        accept({ proto: "112", dport: undefined }),
      ]),
    );
    expect(ev.decide(webToDb(3306)).allowed).toBe(true);
    expect(ev.decide(webToDb(3311)).allowed).toBe(false);
    expect(ev.decide(webToDb(3306, "udp")).allowed).toBe(false);
    expect(ev.decide({ from: { ip: OUTSIDE }, to: { guest: DB }, proto: "tcp", dport: 3306 }).allowed).toBe(
      false,
    );
    expect(ev.decide({ from: { ip: OUTSIDE }, to: { guest: DB }, proto: "vrrp" }).allowed).toBe(true);
  });

  it("apply to the NIC they name", () => {
    const ev = site(dbRules([accept({ iface: "net1" })]));
    expect(
      ev.decide({ from: { guest: WEB }, to: { ip: "10.1.0.11" }, proto: "tcp", dport: 3306 }).allowed,
    ).toBe(true);
    expect(ev.decide(webToDb()).allowed).toBe(false);
  });

  it("expand macros, and refuse an unknown one", () => {
    const ev = site(
      dbRules([
        { type: "in", action: "ACCEPT", macro: "DNS" },
        { type: "in", action: "ACCEPT", macro: "SSH" },
      ]),
    );
    expect(ev.decide(webToDb(53, "udp")).allowed).toBe(true);
    expect(ev.decide(webToDb(53, "tcp")).allowed).toBe(true);
    expect(ev.decide(webToDb(22)).allowed).toBe(true);
    expect(ev.decide(webToDb(80)).allowed).toBe(false);
    expect(() => site(dbRules([{ type: "in", action: "ACCEPT", macro: "Nope" }])).decide(webToDb())).toThrow(
      "unknown macro Nope",
    );
  });

  it("look macros up case-insensitively, as pve-firewall does, from the translator's table", () => {
    const ev = site(
      dbRules([
        { type: "in", action: "ACCEPT", macro: "ssh" },
        { type: "in", action: "ACCEPT", macro: "RDP" },
      ]),
    );
    expect(ev.decide(webToDb(22)).allowed).toBe(true);
    expect(ev.decide(webToDb(3389)).allowed).toBe(true);
    expect(ev.decide(webToDb(80)).allowed).toBe(false);
  });

  it("compare ICMP types by number, a type without code matching every code", () => {
    const ping = (icmpType?: string): Packet => ({
      from: { guest: WEB },
      to: { guest: DB },
      proto: "icmp",
      ...(icmpType ? { icmpType } : {}),
    });
    const byNumber = site(dbRules([accept({ proto: "icmp", dport: "8" })]));
    expect(byNumber.decide(ping()).allowed).toBe(true);
    expect(byNumber.decide(ping("echo-reply")).allowed).toBe(false);
    const unreachable = site(dbRules([accept({ proto: "icmp", dport: "destination-unreachable" })]));
    expect(unreachable.decide(ping("port-unreachable")).allowed).toBe(true);
    expect(() => site(dbRules([accept({ proto: "icmp", dport: "no-such-type" })])).decide(ping())).toThrow(
      "unknown icmp type no-such-type",
    );
  });

  it("read IP sets (+name, guest level first, nomatch entries excluded), aliases and ranges", () => {
    const ev = site((fw) => {
      fw.ipsets.push({
        name: "apps",
        cidrs: [{ name: "10.0.0.0/24" }, { name: "10.0.0.10", nomatch: true }],
      });
      fw.ipsets.push({ name: "apps", containerId: DB, cidrs: [{ name: "webhost" }] });
      fw.aliases.push({ name: "webhost", cidr: "10.0.0.10" });
      dbRules([
        accept({ source: "+apps" }),
        accept({ source: "+dc/apps", dport: "80" }),
        accept({ source: "10.0.0.9-10.0.0.12", dport: "22" }),
      ])(fw);
    });
    expect(ev.decide(webToDb(3306)).allowed).toBe(true); // the guest's own set: the alias webhost
    expect(ev.decide(webToDb(80)).allowed).toBe(false); // the cluster's set excludes 10.0.0.10
    expect(ev.decide(webToDb(22)).allowed).toBe(true);
    expect(() => site(dbRules([accept({ source: "+missing" })])).decide(webToDb())).toThrow(
      "no IP set missing",
    );
  });

  it("insert a security group's rules of the direction in place", () => {
    const ev = site((fw) => {
      fw.securityGroups.push({ name: "database", rules: [accept({ type: "out", dport: "1" }), accept()] });
      dbRules([{ securityGroup: "database" }])(fw);
    });
    expect(ev.decide(webToDb())).toMatchObject({
      allowed: true,
      reason: expect.stringContaining("group database"),
    });
    expect(ev.decide(webToDb(1)).allowed).toBe(false);
  });

  it("on the sender's side: out rules, then its output policy", () => {
    const outDrop = (fw: RegisteredFirewall) => {
      fw.options[0].outputPolicy = "DROP";
      dbRules([accept()])(fw);
    };
    expect(site(outDrop).decide(webToDb())).toMatchObject({
      allowed: false,
      reason: "web (100) out: policy DROP",
    });
    const allowedOut = site((fw) => {
      outDrop(fw);
      fw.rules.push({
        nodeName: "pve",
        containerId: WEB,
        rules: [{ type: "out", action: "ACCEPT", dest: "10.0.0.11" }],
      });
    });
    expect(allowedOut.decide(webToDb()).allowed).toBe(true);
  });

  it("drop the blacklist IP set before any rule", () => {
    const ev = site((fw) => {
      fw.ipsets.push({ name: "blacklist", cidrs: [{ name: "10.0.0.10" }] });
      dbRules([accept()])(fw);
    });
    expect(ev.decide(webToDb()).allowed).toBe(false);
  });
});

describe("nodes", () => {
  const toNode = (from: Packet["from"], dport: number): Packet => ({
    from,
    to: { node: "pve" },
    proto: "tcp",
    dport,
  });

  it("take the node's rules, then the cluster's, then management and local_network, then the cluster policy", () => {
    const ev = site((fw) => {
      fw.rules.push({
        nodeName: "pve",
        rules: [{ type: "in", action: "ACCEPT", source: "10.0.0.10", proto: "tcp", dport: "9100" }],
      });
      fw.rules.push({
        rules: [{ type: "in", action: "DROP", source: "10.0.0.10", proto: "tcp", dport: "8006" }],
      });
      fw.ipsets.push({ name: "management", cidrs: [{ name: "192.0.2.0/24" }] });
    });
    expect(ev.decide(toNode({ guest: WEB }, 9100)).allowed).toBe(true);
    expect(ev.decide(toNode({ guest: DB }, 9100)).allowed).toBe(false);
    expect(ev.decide(toNode({ guest: WEB }, 8006)).allowed).toBe(false); // a cluster rule before management
    expect(ev.decide(toNode({ guest: DB }, 8006)).allowed).toBe(true); // local_network
    expect(ev.decide(toNode({ ip: "192.0.2.5" }, 22)).allowed).toBe(true); // management
    expect(ev.decide(toNode({ ip: OUTSIDE }, 8006)).allowed).toBe(false);
  });
});

describe("reading registrations", () => {
  it("picks the firewall resources by type token, and the nodes from the provider's ssh block", () => {
    const fw = registeredFirewallFrom([
      { type: FIREWALL_TYPES.cluster, name: "c", inputs: { enabled: true } },
      { type: FIREWALL_TYPES.rules, name: "r", inputs: { nodeName: "pve", containerId: 1, rules: [] } },
      {
        type: FIREWALL_TYPES.provider,
        name: "p",
        inputs: { ssh: JSON.stringify({ nodes: [{ name: "pve", address: "10.0.0.2" }] }) },
      },
      { type: "random:index/randomPassword:RandomPassword", name: "x", inputs: {} },
    ]);
    expect(fw).toMatchObject({
      cluster: { enabled: true },
      rules: [{ containerId: 1 }],
      hosts: [{ name: "pve", address: "10.0.0.2" }],
    });
  });

  it("refuses a second cluster firewall and secret-marked firewall inputs", () => {
    const cluster = { type: FIREWALL_TYPES.cluster, name: "c", inputs: { enabled: true } };
    expect(() => registeredFirewallFrom([cluster, cluster])).toThrow("a second cluster firewall");
    expect(() =>
      registeredFirewallFrom([{ type: FIREWALL_TYPES.rules, name: "r", inputs: { rules: "[secret]" } }]),
    ).toThrow("secret");
    const secretSsh = { type: FIREWALL_TYPES.provider, name: "p", inputs: { ssh: "[secret]" } };
    expect(() => registeredFirewallFrom([secretSsh])).toThrow("p.ssh: not readable (marked secret)");
  });
});

describe("one ACCEPT rule", () => {
  it("opens exactly its source and port, nothing else", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 254 }),
        (port, asked, host) => {
          const ev = site(dbRules([accept({ source: "10.0.0.10", dport: String(port) })]));
          const from = `10.0.0.${host}`;
          fc.pre(from !== "10.0.0.11" && from !== "10.0.0.2");
          const expected = asked === port && from === "10.0.0.10";
          expect(
            ev.decide({ from: { ip: from }, to: { guest: DB }, proto: "tcp", dport: asked }).allowed,
          ).toBe(expected);
        },
      ),
    );
  });
});
