/**
 * The firewall as the program REGISTERS it (what `pulumi up` would send to Proxmox), under
 * pulumi.runtime.setMocks, judged by an evaluator of Proxmox's semantics (components/firewall/
 * evaluate.ts) against the service graph (config/wiring.ts): every wiring edge is open, every
 * service port is closed to every guest without an edge and to outside addresses, VRRP flows
 * between the school's balancers, the nodes take metrics only from the monitoring guest.
 *
 * Mutation check (issue 14, point 12): `bash test/unit/firewall-mutations.sh` breaks the registered
 * firewall in the source, one way at a time (every guest's input policy ACCEPT, guest firewall off,
 * the NIC firewall flag off on containers and on VMs, the Moodle spec's VRRP edges removed, the graph's
 * admin SSH edge removed, cluster firewall off, node rules removed, the management IP set emptied, rule
 * sources widened), and fails if these tests pass
 * under any of them. Before these tests, six of the first eight (and, by reading the old assertions,
 * the ninth) survived the firewall tests.
 */
import type * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import type { Unwrap } from "@pulumi/pulumi";
import ipaddr from "ipaddr.js";
import { resolve } from "node:path";
import { parseCidr } from "../../components/firewall/cidr";
import { FirewallEvaluator, type Endpoint } from "../../components/firewall/evaluate";
import {
  FIREWALL_TYPES,
  registeredFirewallFrom,
  type AliasInputs,
  type ClusterFirewallInputs,
  type ContainerInputs,
  type GuestOptionsInputs,
  type IpsetInputs,
  type RulesInputs,
  type SecurityGroupInputs,
  type VmInputs,
} from "../../components/firewall/registered";
import { PORTS } from "../../config/ports";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import {
  edgePortsText,
  isPortless,
  portNumbers,
  reachesGuest,
  type ServiceEdge,
} from "../../config/service-edge";
import { siteWiring } from "../../config/wiring";
import { runUnderMocks, type MockRun } from "../../scripts/lib/mock-run";

// Compile-time: the evaluator's plain input types accept what the provider SDK's arguments allow.
type Accepts<T, U extends T> = U;
export type SdkConformance = [
  Accepts<ClusterFirewallInputs, Unwrap<proxmoxve.cluster.FirewallLegacyArgs>>,
  Accepts<GuestOptionsInputs, Unwrap<proxmoxve.firewall.OptionsLegacyArgs>>,
  Accepts<RulesInputs, Unwrap<proxmoxve.firewall.RulesLegacyArgs>>,
  Accepts<IpsetInputs, Unwrap<proxmoxve.firewall.IpsetLegacyArgs>>,
  Accepts<AliasInputs, Unwrap<proxmoxve.firewall.AliasLegacyArgs>>,
  Accepts<SecurityGroupInputs, Unwrap<proxmoxve.cluster.firewall.security.GroupLegacyArgs>>,
  Accepts<ContainerInputs, Unwrap<proxmoxve.ContainerLegacyArgs>>,
  Accepts<VmInputs, Unwrap<proxmoxve.VmLegacyArgs>>,
];

const root = resolve(__dirname, "../..");
// One mock run per stack for the whole file (runs are sequential: the mock monitor is process-wide).
const runs = new Map<string, Promise<MockRun>>();
const runOf = (stack: string) => runs.get(stack) ?? runs.set(stack, runUnderMocks(stack)).get(stack)!;
const OUTSIDE = "203.0.113.9";

/** The first address of a network (the address itself for a host), standing for everyone in it. */
function sampleAddress(cidrText: string): string {
  const cidr = parseCidr(cidrText)!;
  const bytes = cidr.network.toByteArray();
  if (cidr.bits < bytes.length * 8) bytes[bytes.length - 1] += 1;
  return ipaddr.fromByteArray(bytes).toString();
}

function inAny(cidrs: readonly string[], ip: string): boolean {
  const address = ipaddr.parse(ip);
  return cidrs.some((c) => {
    const [net, bits] = ipaddr.parseCIDR(c.includes("/") ? c : `${c}/32`);
    return address.kind() === net.kind() && address.match(net, bits);
  });
}

function stackOf(stack: string) {
  const site = validateSiteConfig(stack, readStackFile(root, stack).values).config;
  const wiring = siteWiring(site);
  const vmid = new Map(wiring.guests.map((g) => [g.key, g.vmid]));
  // One flow per guest and port an edge opens (an edge to every guest opens each guest).
  const guestEdges: Flow[] = wiring.edges.flatMap((e) =>
    wiring.guests
      .filter((g) => reachesGuest(e, g.key) && !("guest" in e.from && e.from.guest === g.key))
      .flatMap((g) =>
        (isPortless(e.protocol) ? [undefined] : portNumbers(e)).map((port) => ({ ...e, to: g.key, port })),
      ),
  );
  return { site, wiring, vmid, guestEdges };
}

/** One flow of the graph: an edge to one guest, on one port (none for VRRP). */
type Flow = ServiceEdge & { port?: number };

const edgeName = (e: Flow) =>
  `${"guest" in e.from ? e.from.guest : `${e.from.label} (${e.from.cidrs.join(",")})`} → ${e.to}:${e.port}/${e.protocol} (${e.purpose})`;

describe.each(["prod", "school", "staging"])("the %s stack's registered firewall", (stack) => {
  const { site, wiring, vmid, guestEdges } = stackOf(stack);
  let run: MockRun;
  let ev: FirewallEvaluator;
  beforeAll(async () => {
    run = await runOf(stack);
    ev = new FirewallEvaluator(registeredFirewallFrom(run.resources, { localNetwork: site.network.cidr }));
  });
  const registered = (type: string) => run.resources.filter((r) => r.type === type);

  it("turns the cluster firewall on, inbound DROP, after the management IP set", () => {
    const [cluster, ...more] = registered(FIREWALL_TYPES.cluster);
    expect(more).toEqual([]);
    expect(cluster.inputs).toMatchObject({ enabled: true, inputPolicy: "DROP", outputPolicy: "ACCEPT" });
    expect(cluster.dependsOn.some((u) => u.endsWith("::firewall-management"))).toBe(true);
  });

  it("opens on each node exactly what the service graph's edges to that node allow (the graph is the one source)", () => {
    const ipOf = (key: string) => wiring.guests.find((g) => g.key === key)!.ip;
    for (const node of site.proxmox.nodes) {
      // Sources are guests, or other nodes (a files node's NFS): an endpoint of single addresses.
      const sourceOf = (from: ServiceEdge["from"]) =>
        "guest" in from ? ipOf(from.guest) : from.cidrs.map((c) => c.replace(/\/32$/, "")).join(",");
      const fromGraph = wiring.edges
        .filter((e) => e.to === `host:${node.name}`)
        .map((e) => `${sourceOf(e.from)} ${e.protocol}/${edgePortsText(e)}`)
        .sort();
      const rules = registered(FIREWALL_TYPES.rules).filter(
        (r) =>
          r.inputs.nodeName === node.name &&
          r.inputs.containerId === undefined &&
          r.inputs.vmId === undefined,
      );
      const registeredRules = rules
        .flatMap((r) => r.inputs.rules as { source: string; proto: string; dport: string }[])
        .map((r) => `${r.source} ${r.proto}/${r.dport}`)
        .sort();
      expect(registeredRules).toEqual(fromGraph);
      if (site.monitoring) expect(fromGraph.length).toBeGreaterThan(0);
    }
  });

  it("registers every guest of the wiring, each with its firewall enabled and inbound DROP", () => {
    expect(ev.guests.map((g) => g.vmid)).toEqual(wiring.guests.map((g) => g.vmid).sort((a, b) => a - b));
    for (const g of ev.guests) {
      expect({ vmid: g.vmid, enabled: g.options?.enabled, inputPolicy: g.options?.inputPolicy }).toEqual({
        vmid: g.vmid,
        enabled: true,
        inputPolicy: "DROP",
      });
    }
  });

  it("sets firewall=1 on every NIC of every container and VM", () => {
    for (const g of ev.guests) {
      expect(g.nics.length).toBeGreaterThan(0);
      for (const nic of g.nics)
        expect({ guest: g.name, nic: nic.iface, firewall: nic.firewall }).toEqual({
          guest: g.name,
          nic: nic.iface,
          firewall: true,
        });
    }
  });

  it.each(guestEdges.map((e) => [edgeName(e), e] as const))("opens %s", (_name, e) => {
    const from: Endpoint =
      "guest" in e.from ? { guest: vmid.get(e.from.guest)! } : { ip: sampleAddress(e.from.cidrs[0]) };
    const verdict = ev.decide({ from, to: { guest: vmid.get(e.to)! }, proto: e.protocol, dport: e.port });
    expect(verdict).toMatchObject({ allowed: true });
  });

  /** May `key` (at `ip`) reach the service by some wiring edge? */
  const hasEdge = (key: string, ip: string, to: string, port: number | undefined, proto: string) =>
    guestEdges.some(
      (e) =>
        e.to === to &&
        e.port === port &&
        e.protocol === proto &&
        ("guest" in e.from ? e.from.guest === key : inAny(e.from.cidrs, ip)),
    );
  const services = [...new Map(guestEdges.map((e) => [`${e.to}|${e.port}|${e.protocol}`, e])).values()];

  it("closes every service port to every guest that has no wiring edge to it", () => {
    const opened: string[] = [];
    const sources = wiring.guests.filter((g) => ev.guest(g.vmid).nics.some((n) => n.addresses.length > 0));
    for (const s of services) {
      for (const g of sources.filter(
        (x) => x.key !== s.to && !hasEdge(x.key, x.ip, s.to, s.port, s.protocol),
      )) {
        const v = ev.decide({
          from: { guest: g.vmid },
          to: { guest: vmid.get(s.to)! },
          proto: s.protocol,
          dport: s.port,
        });
        if (v.allowed) opened.push(`${g.key} → ${s.to}:${s.port}/${s.protocol}: ${v.reason}`);
      }
    }
    expect(opened).toEqual([]);
    // Every guest but a VM whose address lives inside it (Windows) is asked as a source.
    expect(wiring.guests.filter((g) => !sources.includes(g)).every((g) => g.kind === "vm")).toBe(true);
  });

  it("closes every service port to an address outside the site and the admin networks", () => {
    const opened = services
      .filter((s) => !hasEdge("", OUTSIDE, s.to, s.port, s.protocol))
      .map((s) => ({
        s,
        v: ev.decide({
          from: { ip: OUTSIDE },
          to: { guest: vmid.get(s.to)! },
          proto: s.protocol,
          dport: s.port,
        }),
      }))
      .filter(({ v }) => v.allowed)
      .map(({ s, v }) => `${s.to}:${s.port}/${s.protocol}: ${v.reason}`);
    // Nor SSH or RDP on any guest, containers and VMs alike.
    for (const g of ev.guests)
      for (const port of [PORTS.ssh, 3389])
        if (ev.allows({ ip: OUTSIDE }, { guest: g.vmid }, "tcp", port)) opened.push(`${g.name}:${port}/tcp`);
    expect(opened).toEqual([]);
  });

  it("lets only the monitoring guest reach each node's exporter; admins reach the node UI", () => {
    for (const node of site.proxmox.nodes) {
      const to: Endpoint = { node: node.name };
      const scrapes = wiring.scrapeTargets.some((t) => t.target === `host:${node.name}` && t.job === "node");
      if (site.monitoring)
        expect(ev.allows({ guest: vmid.get("monitoring")! }, to, "tcp", PORTS.nodeExporter)).toBe(scrapes);
      for (const g of wiring.guests.filter((x) => x.key !== "monitoring" && x.kind === "lxc"))
        expect({ from: g.key, open: ev.allows({ guest: g.vmid }, to, "tcp", PORTS.nodeExporter) }).toEqual({
          from: g.key,
          open: false,
        });
      // Outside the site network (staging's first admin network) only the management IP set lets them in.
      for (const admins of site.network.adminCidrs)
        expect({
          admins,
          open: ev.allows({ ip: sampleAddress(admins) }, to, "tcp", PORTS.proxmoxUi),
        }).toEqual({
          admins,
          open: true,
        });
      expect(ev.allows({ ip: OUTSIDE }, to, "tcp", PORTS.proxmoxUi)).toBe(false);
    }
  });
  // Known gap (reported, not fixed here): Proxmox adds `local_network` (the node's own network, here
  // the site network) to the `management` IP set, so EVERY guest reaches the nodes' UI (8006) and
  // SSH (22). Once the program narrows `local_network` (a cluster alias), this starts passing and
  // Jest fails it: then make it a plain `it`.
  it.failing("keeps guests other than monitoring and the tunnel connectors off the nodes' UI and SSH", () => {
    const trusted = new Set(["monitoring", ...(site.tunnel?.connectorGuests ?? [])]);
    for (const node of site.proxmox.nodes)
      for (const g of wiring.guests.filter((x) => x.kind === "lxc" && !trusted.has(x.key)))
        for (const port of [PORTS.proxmoxUi, PORTS.ssh])
          expect({
            from: g.key,
            port,
            open: ev.allows({ guest: g.vmid }, { node: node.name }, "tcp", port),
          }).toEqual({
            from: g.key,
            port,
            open: false,
          });
  });
});

describe("the school's balancers", () => {
  const { vmid } = stackOf("school");
  let ev: FirewallEvaluator;
  beforeAll(async () => {
    const run = await runOf("school");
    ev = new FirewallEvaluator(registeredFirewallFrom(run.resources, { localNetwork: "10.10.0.0/24" }));
  });
  const lbs = ["moodle-lb1", "moodle-lb2"];

  it.each([
    ["moodle-lb1", "moodle-lb2"],
    ["moodle-lb2", "moodle-lb1"],
  ])("take VRRP adverts from each other: %s → %s", (from, to) => {
    expect(
      ev.decide({ from: { guest: vmid.get(from)! }, to: { guest: vmid.get(to)! }, proto: "vrrp" }),
    ).toMatchObject({
      allowed: true,
      reason: expect.stringContaining("keepalived VRRP adverts"),
    });
  });

  it("take VRRP from nobody else", () => {
    for (const [key, id] of vmid) {
      if (lbs.includes(key)) continue;
      for (const lb of lbs)
        expect({ key, lb, open: ev.allows({ guest: id }, { guest: vmid.get(lb)! }, "vrrp") }).toEqual({
          key,
          lb,
          open: false,
        });
    }
    expect(ev.allows({ ip: OUTSIDE }, { guest: vmid.get("moodle-lb1")! }, "vrrp")).toBe(false);
  });
});

type Probe = [string, string, number, "tcp" | "udp", boolean, string];

/** Hand-picked flows, evaluated on the registered firewall (the tables above cover the rest). */
const probes: Record<string, Probe[]> = {
  prod: [
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
  ],
  school: [
    ["10.10.0.21", "moodle-app2", 80, "tcp", true, "a balancer reaches an app node"],
    ["10.10.0.31", "moodle-app2", 80, "tcp", false, "app nodes do not talk to each other"],
    ["10.10.0.2", "node:pve-school2", 2049, "tcp", true, "a Proxmox node mounts the files node's export"],
    ["10.10.0.5", "node:pve-school2", 2049, "tcp", true, "every other node mounts it too"],
    [
      "10.10.0.31",
      "node:pve-school2",
      2049,
      "tcp",
      false,
      "app nodes mount nothing (bind mount from the node)",
    ],
    ["10.10.0.21", "node:pve-school2", 2049, "tcp", false, "balancers do not mount moodledata"],
    ["10.10.0.2", "node:pve-school3", 2049, "tcp", false, "only the files node serves NFS"],
    ["10.10.0.33", "database-primary", 3306, "tcp", true, "app3 reaches the database"],
    ["10.10.0.21", "database-primary", 3306, "tcp", false, "a balancer never reaches the database"],
    ["10.10.0.33", "redis", 6379, "tcp", true, "app3 keeps sessions in Redis"],
    ["10.10.0.31", "moodle-lb1", 8404, "tcp", false, "HAProxy stats not from an app node"],
  ],
};

describe.each(Object.keys(probes))("probes of the %s stack", (stack) => {
  const { site, vmid } = stackOf(stack);
  let ev: FirewallEvaluator;
  beforeAll(async () => {
    const run = await runOf(stack);
    ev = new FirewallEvaluator(registeredFirewallFrom(run.resources, { localNetwork: site.network.cidr }));
  });

  it.each(probes[stack])("%s → %s:%d/%s allowed=%s (%s)", (ip, to, port, proto, allowed) => {
    const target: Endpoint = to.startsWith("node:")
      ? { node: to.slice("node:".length) }
      : { guest: vmid.get(to)! };
    expect(ev.allows({ ip }, target, proto, port)).toBe(allowed);
  });
});
