import {
  FIREWALL_TYPES as T,
  FirewallExtractError,
  extractFirewall,
  type RegisteredResource,
} from "../../scripts/box/firewall-extract";
import { firewallRulesetsFromResources } from "../../scripts/box/firewall";

const container: RegisteredResource = {
  type: T.container,
  name: "database-primary",
  inputs: {
    vmId: 100,
    nodeName: "pve",
    networkInterfaces: [
      { name: "eth0", bridge: "vmbr0", firewall: true },
      { name: "eth1", bridge: "vmbr1" },
    ],
    initialization: {
      hostname: "db",
      ipConfigs: [{ ipv4: { address: "10.0.0.10/24", gateway: "10.0.0.1" } }],
    },
  },
};
const vm: RegisteredResource = {
  type: T.vm,
  name: "windows-gpu",
  inputs: {
    vmId: 900,
    nodeName: "pve",
    name: "render",
    networkDevices: [{ bridge: "vmbr0", firewall: true }],
  },
};
// Providers reach the engine with nested inputs as JSON text; the private key must not be read.
const provider: RegisteredResource = {
  type: T.provider,
  name: "site-proxmox",
  inputs: { ssh: JSON.stringify({ privateKey: "not-read", nodes: [{ name: "pve", address: "10.0.0.2" }] }) },
};

function problemsOf(resources: RegisteredResource[]): readonly string[] {
  try {
    extractFirewall("t", resources);
  } catch (error) {
    if (error instanceof FirewallExtractError) return error.problems;
    throw error;
  }
  return [];
}

describe("reading the registered firewall", () => {
  it("places every firewall resource on the cluster, a node or a guest, with the guests' NICs and the nodes' networks", () => {
    const fw = extractFirewall("t", [
      container,
      vm,
      provider,
      { type: T.cluster, name: "c", inputs: { enabled: true, inputPolicy: "DROP" } },
      { type: T.options, name: "o", inputs: { nodeName: "pve", containerId: 100, enabled: true } },
      {
        type: T.rules,
        name: "g",
        inputs: {
          nodeName: "pve",
          containerId: 100,
          rules: [{ type: "in", action: "ACCEPT", macro: "SSH", enabled: true }],
        },
      },
      {
        type: T.rules,
        name: "n",
        inputs: { nodeName: "pve", rules: [{ type: "in", action: "ACCEPT", dport: "9100", proto: "tcp" }] },
      },
      { type: T.rules, name: "cl", inputs: { rules: [{ securityGroup: "web", iface: "vmbr0" }] } },
      {
        type: T.ipset,
        name: "m",
        inputs: { name: "management", cidrs: [{ name: "10.0.0.200/29", comment: "admins" }] },
      },
      {
        type: T.ipset,
        name: "v",
        inputs: { vmId: 900, name: "ipfilter-net0", cidrs: [{ name: "10.0.0.90", nomatch: false }] },
      },
      { type: T.alias, name: "a", inputs: { name: "office", cidr: "10.0.1.0/24" } },
      {
        type: T.securityGroup,
        name: "w",
        inputs: { name: "web", rules: [{ type: "in", action: "ACCEPT", macro: "Web" }] },
      },
    ]);
    expect(fw.cluster).toEqual({ enabled: true, inputPolicy: "DROP" });
    expect(fw.guests.map((g) => [g.key, g.kind, g.vmid, g.name])).toEqual([
      ["database-primary", "ct", 100, "db"],
      ["windows-gpu", "vm", 900, "render"],
    ]);
    expect(fw.guests[0].nics).toEqual([
      { iface: "net0", device: "eth0", firewall: true, addresses: ["10.0.0.10"] },
      { iface: "net1", device: "eth1", firewall: false, addresses: [] },
    ]);
    expect(fw.guests[0].options).toEqual({ enabled: true });
    expect(fw.guests[0].rules).toEqual([{ type: "in", action: "ACCEPT", macro: "SSH", enabled: true }]);
    expect(fw.guests[1].nics).toEqual([{ iface: "net0", device: "eth0", firewall: true, addresses: [] }]);
    expect(fw.guests[1].ipsets).toEqual([
      { name: "ipfilter-net0", cidrs: [{ name: "10.0.0.90", nomatch: false }] },
    ]);
    expect(fw.hosts).toEqual([
      {
        name: "pve",
        address: "10.0.0.2",
        localNetwork: "10.0.0.0/24",
        rules: [{ type: "in", action: "ACCEPT", dport: "9100", proto: "tcp" }],
      },
    ]);
    expect(fw.clusterRules).toEqual([{ securityGroup: "web", iface: "vmbr0" }]);
    expect(fw.ipsets).toEqual([
      { name: "management", cidrs: [{ name: "10.0.0.200/29", comment: "admins" }] },
    ]);
    expect(fw.aliases).toEqual([{ name: "office", cidr: "10.0.1.0/24" }]);
    expect(fw.securityGroups).toEqual([
      { name: "web", rules: [{ type: "in", action: "ACCEPT", macro: "Web" }] },
    ]);
    expect(JSON.stringify(fw)).not.toContain("not-read");
  });

  it("turns recorded registrations straight into rulesets for the box runner", () => {
    const rulesets = firewallRulesetsFromResources("t", [
      container,
      provider,
      { type: T.cluster, name: "c", inputs: { enabled: true } },
      { type: T.options, name: "o", inputs: { nodeName: "pve", containerId: 100, enabled: true } },
      {
        type: T.rules,
        name: "g",
        inputs: {
          nodeName: "pve",
          containerId: 100,
          rules: [{ type: "in", action: "ACCEPT", macro: "SSH" }],
        },
      },
    ]);
    expect([...rulesets.guests.keys()]).toEqual(["database-primary"]);
    expect([...rulesets.nodes.keys()]).toEqual(["pve"]);
    expect(rulesets.guests.get("database-primary")).toContain("tcp dport 22 accept");
    expect(rulesets.guests.get("database-primary")).toContain('oifname "eth1" ct state invalid drop');
  });

  it("refuses what it cannot place, every problem at once", () => {
    expect(
      problemsOf([
        container,
        provider,
        { type: "proxmoxve:firewall/somethingNew:SomethingNew", name: "x", inputs: {} },
        { type: T.rules, name: "r1", inputs: { nodeName: "pve", containerId: 100, rules: [] } },
        { type: T.rules, name: "r2", inputs: { nodeName: "pve", containerId: 100, rules: [] } },
        { type: T.options, name: "o", inputs: { nodeName: "pve", containerId: 555 } },
        { type: T.ipset, name: "s", inputs: { nodeName: "pve", name: "x" } },
      ]),
    ).toEqual([
      "proxmoxve:firewall/somethingNew:SomethingNew x: a firewall resource type the box does not translate",
      `${T.options} o: no registered guest has VMID 555`,
      `${T.rules} r2: a second rules resource for guest database-primary (Proxmox's order would follow creation order)`,
      `${T.ipset} s: Proxmox has no node-level ipsets`,
    ]);
  });
});
