import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { buildFirewallMatrix } from "../../components/firewall/matrix";
import { mergePorts, type FirewallModel } from "../../components/firewall/model";
import { MAX_MULTIPORT_SLOTS, computeGuestFirewalls, isAllowed } from "../../components/firewall/rules";
import {
  EVERY_GUEST,
  isPortless,
  reachesGuest,
  type Protocol,
  type ServiceEdge,
} from "../../config/service-edge";

const SITE = "10.20.0.0/16";
const NAMED_CIDRS = [
  "198.51.100.0/24",
  "203.0.113.7",
  "10.20.0.0/16",
  "2001:db8::/64",
  "172.16.5.0/24",
  "10.20.3.0/24",
];
const ADMIN_POOL = ["172.16.0.0/24", "10.20.9.0/24", "192.0.2.10", "2001:db8:ad::/48"];
const PORT_POOL = [53, 80, 443, 3000, 3306, 5432, 6379, 8006, 9100, 11211];
const PROTOS: Protocol[] = ["tcp", "udp", "icmp", "vrrp"];

/** icmp edges take IPv4 sources only. */
function ipv4Only(cidrs: string[]): string[] {
  const v4 = cidrs.filter((c) => !c.includes(":"));
  return v4.length > 0 ? v4 : ["198.51.100.0/24"];
}

/** Site models whose edges are valid by construction (no self edges, SSH only from admin networks). */
const models: fc.Arbitrary<FirewallModel> = fc
  .record({
    hosts: fc.uniqueArray(fc.integer({ min: 1, max: 65000 }), { minLength: 2, maxLength: 7 }),
    vmidBase: fc.integer({ min: 100, max: 5000 }),
    admin: fc.subarray(ADMIN_POOL),
    adminSsh: fc.boolean(),
    edges: fc.array(
      fc.record({
        fromGuest: fc.option(fc.nat(), { nil: undefined }),
        named: fc.subarray(NAMED_CIDRS, { minLength: 1, maxLength: 3 }),
        to: fc.nat(),
        proto: fc.constantFrom(...PROTOS),
        ports: fc.array(
          fc.oneof(
            fc.constantFrom(...PORT_POOL),
            fc.integer({ min: 23, max: 65000 }),
            fc.integer({ min: 23, max: 64000 }).map((from) => ({ from, to: from + 7 })),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        purpose: fc.constantFrom("web", "db", "cache", "dns", "metrics"),
      }),
      { maxLength: 14 },
    ),
  })
  .map(({ hosts, vmidBase, admin, adminSsh, edges }) => {
    const guests = hosts.map((h, i) => ({
      key: `g${i}`,
      vmid: vmidBase + i,
      hostname: `host-${i}`,
      ip: `10.20.${Math.floor(h / 256)}.${h % 256}`,
    }));
    const modelEdges: ServiceEdge[] = edges.map((e) => {
      const to = e.to % guests.length;
      const fromIndex = e.fromGuest === undefined ? undefined : e.fromGuest % guests.length;
      const from =
        fromIndex === undefined || fromIndex === to
          ? { label: `net-${e.named.length}`, cidrs: e.proto === "icmp" ? ipv4Only(e.named) : e.named }
          : { guest: guests[fromIndex].key };
      return {
        from,
        to: guests[to].key,
        protocol: e.proto,
        ...(isPortless(e.proto) ? {} : { ports: e.ports }),
        purpose: e.purpose,
      };
    });
    // SSH from the admin networks, as the service graph declares it: one edge to every guest.
    if (adminSsh && admin.length > 0)
      modelEdges.push({
        from: { label: "admins", cidrs: admin },
        to: EVERY_GUEST,
        protocol: "tcp",
        ports: [22],
        purpose: "admin SSH",
      });
    return { siteCidr: SITE, adminCidrs: admin, guests, edges: modelEdges };
  });

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
type Net = [Addr, number];

function toNet(text: string): Net {
  if (text.includes("/")) return ipaddr.parseCIDR(text);
  const ip = ipaddr.parse(text);
  return [ip, ip.kind() === "ipv4" ? 32 : 128];
}

function inNet(ip: Addr, [net, bits]: Net): boolean {
  return ip.kind() === net.kind() && ip.match(net, bits);
}

function edgeSources(model: FirewallModel, edge: ServiceEdge): string[] {
  if ("guest" in edge.from) {
    const key = edge.from.guest;
    return [model.guests.find((g) => g.key === key)?.ip ?? "none"];
  }
  return [...edge.from.cidrs];
}

/** The intended policy, computed straight from the model: an edge must say yes. */
function oracleFor(model: FirewallModel) {
  const edges = model.edges.map((e) => ({
    edge: e,
    proto: e.protocol,
    ports: mergePorts(e.ports ?? []),
    sources: edgeSources(model, e).map(toNet),
  }));
  return (fromIp: string, toGuest: string, proto: Protocol, port: number): boolean => {
    const ip = ipaddr.parse(fromIp);
    return edges.some(
      (e) =>
        reachesGuest(e.edge, toGuest) &&
        e.proto === proto &&
        (isPortless(proto) || e.ports.some((r) => r.from <= port && port <= r.to)) &&
        e.sources.some((n) => inNet(ip, n)),
    );
  };
}

function probeIps(model: FirewallModel): string[] {
  const ips = new Set<string>(["192.0.2.200", "8.8.8.8", "2001:db8:ffff::1", "10.21.0.1"]);
  for (const g of model.guests) ips.add(g.ip);
  for (const c of [...NAMED_CIDRS, ...model.adminCidrs]) {
    const [net] = c.includes("/") ? ipaddr.parseCIDR(c) : [ipaddr.parse(c)];
    const bytes = net.toByteArray();
    bytes[bytes.length - 1] += 5;
    ips.add(net.toString());
    ips.add(ipaddr.fromByteArray(bytes).toString());
  }
  return [...ips];
}

/** Every port at and just outside the edges' ranges towards one guest, plus SSH and the extremes. */
function probePorts(model: FirewallModel, toGuest: string): number[] {
  const ports = new Set<number>([1, 21, 22, 23, 65535]);
  for (const e of model.edges.filter((edge) => reachesGuest(edge, toGuest)))
    for (const r of mergePorts(e.ports ?? []))
      [r.from - 1, r.from, r.to, r.to + 1].forEach((p) => ports.add(p));
  return [...ports];
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const keyed = items.map((item, i) => ({ item, k: (i * 7919 + seed * 104729) % 1000003 }));
  return keyed.sort((a, b) => a.k - b.k).map((x) => x.item);
}

describe("firewall rules, properties", () => {
  it("allow exactly what some edge (admin SSH: the edge to every guest) allows, nothing more, nothing less", () => {
    fc.assert(
      fc.property(models, (model) => {
        const firewalls = computeGuestFirewalls(model);
        const oracle = oracleFor(model);
        const ips = probeIps(model);
        const mismatches: string[] = [];
        for (const g of model.guests)
          for (const fromIp of ips)
            for (const proto of PROTOS)
              for (const port of isPortless(proto) ? [0] : probePorts(model, g.key)) {
                const query = { fromIp, toGuest: g.key, proto, ...(isPortless(proto) ? {} : { port }) };
                const got = isAllowed(firewalls, query);
                if (got !== oracle(fromIp, g.key, proto, port))
                  mismatches.push(`${fromIp} → ${g.key} ${port}/${proto}: ${got}`);
              }
        expect(mismatches).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("trace every rule to a wiring edge (admin SSH: the edge to every guest)", () => {
    fc.assert(
      fc.property(models, (model) => {
        for (const fw of computeGuestFirewalls(model)) {
          for (const rule of fw.rules) {
            const sources = rule.source.split(",");
            const ranges = mergePorts(
              (rule.dport ?? "")
                .split(",")
                .filter(Boolean)
                .map((p) => {
                  const [from, to = from] = p.split(":").map(Number);
                  return { from, to };
                }),
            );
            const fromEdge = model.edges.some((e) => {
              if (!reachesGuest(e, fw.key) || e.protocol !== rule.proto) return false;
              const edgeCidrs = edgeSources(model, e).map((c) => c.replace(/\/(32|128)$/, ""));
              const edgePorts = mergePorts(e.ports ?? []);
              return (
                sources.every((s) => edgeCidrs.includes(s)) &&
                ranges.every((r) => edgePorts.some((p) => p.from <= r.from && r.to <= p.to))
              );
            });
            expect({ rule, traced: fromEdge }).toEqual({ rule, traced: true });
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("deny a port that no edge names, from everywhere", () => {
    fc.assert(
      fc.property(models, fc.integer({ min: 1, max: 65535 }), (model, port) => {
        const named = model.edges.some((e) =>
          mergePorts(e.ports ?? []).some((r) => r.from <= port && port <= r.to),
        );
        fc.pre(!named);
        const firewalls = computeGuestFirewalls(model);
        for (const g of model.guests)
          for (const fromIp of probeIps(model))
            for (const proto of ["tcp", "udp"] as const)
              expect(isAllowed(firewalls, { fromIp, toGuest: g.key, port, proto })).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("do not change when guests, edges or CIDRs are listed in another order", () => {
    fc.assert(
      fc.property(models, fc.nat(), (model, seed) => {
        const reordered: FirewallModel = {
          ...model,
          adminCidrs: shuffled(model.adminCidrs, seed),
          guests: shuffled(model.guests, seed + 1),
          edges: shuffled(model.edges, seed + 2).map((e) =>
            "guest" in e.from ? e : { ...e, from: { ...e.from, cidrs: shuffled(e.from.cidrs, seed + 3) } },
          ),
        };
        expect(computeGuestFirewalls(reordered)).toEqual(computeGuestFirewalls(model));
        expect(buildFirewallMatrix(reordered)).toEqual(buildFirewallMatrix(model));
      }),
      { numRuns: 200 },
    );
  });

  it("keep every port list within one multiport match", () => {
    fc.assert(
      fc.property(models, (model) => {
        for (const rule of computeGuestFirewalls(model).flatMap((g) => g.rules)) {
          const slots = (rule.dport ?? "")
            .split(",")
            .filter(Boolean)
            .reduce((n, p) => n + (p.includes(":") ? 2 : 1), 0);
          expect(slots).toBeLessThanOrEqual(MAX_MULTIPORT_SLOTS);
        }
      }),
      { numRuns: 200 },
    );
  });
});
