import { buildFirewallMatrix, renderFirewallMatrixMarkdown } from "../../components/firewall/matrix";
import { FirewallModelError, mergePorts, type FirewallModel } from "../../components/firewall/model";
import {
  chunkPorts,
  computeGuestFirewalls,
  isAllowed,
  managementIpSet,
  type GuestFirewall,
} from "../../components/firewall/rules";
import { EVERY_GUEST, type ServiceEdge } from "../../config/service-edge";

const ADMIN_SSH_COMMENT = "admin SSH";
/** SSH from the admin networks, as the service graph declares it: one edge to every guest. */
const ADMIN_SSH: ServiceEdge = {
  from: { label: "admins", cidrs: ["192.168.0.0/28", "10.8.0.0/24"] },
  to: EVERY_GUEST,
  protocol: "tcp",
  ports: [22],
  purpose: ADMIN_SSH_COMMENT,
};

/** A slice of the prod site (SITE-REFERENCE.md): database, redis, ERPNext, the tunnel guest. */
function prodModel(): FirewallModel {
  return {
    siteCidr: "192.168.0.0/24",
    adminCidrs: ["192.168.0.0/28", "10.8.0.0/24"],
    guests: [
      { key: "database-primary", vmid: 100, hostname: "database-primary", ip: "192.168.0.10/24" },
      { key: "database-replica", vmid: 101, hostname: "database-replica", ip: "192.168.0.11/24" },
      { key: "redis", vmid: 102, hostname: "redis", ip: "192.168.0.12/24" },
      { key: "network-services", vmid: 300, hostname: "network-services", ip: "192.168.0.30/24" },
      { key: "frappe-bowbo", vmid: 500, hostname: "frappe-bowbo", ip: "192.168.0.50/24" },
    ],
    edges: [
      ADMIN_SSH,
      {
        from: { guest: "frappe-bowbo" },
        to: "database-primary",
        protocol: "tcp",
        ports: [3306],
        purpose: "ERPNext → MariaDB",
      },
      {
        from: { guest: "database-replica" },
        to: "database-primary",
        protocol: "tcp",
        ports: [3306],
        purpose: "replication",
      },
      {
        from: { guest: "frappe-bowbo" },
        to: "redis",
        protocol: "tcp",
        ports: [6379],
        purpose: "ERPNext → Redis",
      },
      {
        from: { guest: "network-services" },
        to: "frappe-bowbo",
        protocol: "tcp",
        ports: [8080],
        purpose: "tunnel → ERPNext",
      },
      {
        from: { label: "site LAN", cidrs: ["192.168.0.0/24"] },
        to: "network-services",
        protocol: "udp",
        ports: [53],
        purpose: "DNS",
      },
      {
        from: { label: "site LAN", cidrs: ["192.168.0.0/24"] },
        to: "network-services",
        protocol: "tcp",
        ports: [53],
        purpose: "DNS",
      },
    ],
  };
}

function guest(firewalls: GuestFirewall[], key: string): GuestFirewall {
  const found = firewalls.find((g) => g.key === key);
  if (!found) throw new Error(`no firewall for ${key}`);
  return found;
}

describe("computeGuestFirewalls", () => {
  const firewalls = computeGuestFirewalls(prodModel());

  it("gives every guest policy DROP in / ACCEPT out, ordered by VMID", () => {
    expect(firewalls.map((g) => g.vmid)).toEqual([100, 101, 102, 300, 500]);
    for (const g of firewalls)
      expect(g.options).toEqual({ enabled: true, inputPolicy: "DROP", outputPolicy: "ACCEPT" });
  });

  it("opens the database only to its clients, on 3306/tcp, in Proxmox rule shape", () => {
    expect(guest(firewalls, "database-primary").rules).toEqual([
      {
        type: "in",
        action: "ACCEPT",
        source: "10.8.0.0/24,192.168.0.0/28",
        dport: "22",
        proto: "tcp",
        comment: ADMIN_SSH_COMMENT,
      },
      {
        type: "in",
        action: "ACCEPT",
        source: "192.168.0.11",
        dport: "3306",
        proto: "tcp",
        comment: "replication (from database-replica)",
      },
      {
        type: "in",
        action: "ACCEPT",
        source: "192.168.0.50",
        dport: "3306",
        proto: "tcp",
        comment: "ERPNext → MariaDB (from frappe-bowbo)",
      },
    ]);
  });

  it("decides packets as the policy says", () => {
    const ask = (fromIp: string, toGuest: string, port: number, proto: "tcp" | "udp" = "tcp") =>
      isAllowed(firewalls, { fromIp, toGuest, port, proto });
    expect(ask("192.168.0.50", "database-primary", 3306)).toBe(true);
    expect(ask("192.168.0.12", "database-primary", 3306)).toBe(false); // redis has no edge to the database
    expect(ask("192.168.0.50", "database-primary", 3307)).toBe(false);
    expect(ask("192.168.0.50", "database-primary", 3306, "udp")).toBe(false);
    expect(ask("192.168.0.77", "network-services", 53, "udp")).toBe(true);
    expect(ask("192.168.1.77", "network-services", 53, "udp")).toBe(false);
    expect(ask("192.168.0.5", "redis", 22)).toBe(true); // admin range 192.168.0.0/28
    expect(ask("192.168.0.50", "redis", 22)).toBe(false); // a guest is not an admin
    expect(ask("10.8.0.9", "frappe-bowbo", 22)).toBe(true);
    expect(ask("192.168.0.50", "no-such-guest", 3306)).toBe(false);
    expect(ask("not-an-ip", "database-primary", 3306)).toBe(false);
  });

  it("opens SSH only where an edge asks for it: without the edge to every guest, on none", () => {
    const model = prodModel();
    const fw = computeGuestFirewalls({ ...model, edges: model.edges.filter((e) => e !== ADMIN_SSH) });
    expect(fw.flatMap((g) => g.rules).some((r) => r.dport === "22")).toBe(false);
    expect(guest(fw, "database-replica").rules).toEqual([]);
  });

  it("merges edges that ask for the same rule, with both purposes in a stable comment", () => {
    const model = prodModel();
    const twice: FirewallModel = {
      ...model,
      edges: [
        ...model.edges,
        {
          from: { guest: "frappe-bowbo" },
          to: "database-primary",
          protocol: "tcp",
          ports: [3306],
          purpose: "ERPNext backups",
        },
      ],
    };
    const rules = guest(computeGuestFirewalls(twice), "database-primary").rules.filter(
      (r) => r.source === "192.168.0.50",
    );
    expect(rules).toHaveLength(1);
    expect(rules[0].comment).toBe(
      "ERPNext backups (from frappe-bowbo); ERPNext → MariaDB (from frappe-bowbo)",
    );
  });

  it("splits sources by IP family and port lists at the 15-slot multiport limit", () => {
    const ports = Array.from({ length: 20 }, (_, i) => 10000 + i * 2);
    const model: FirewallModel = {
      siteCidr: "192.168.0.0/24",
      adminCidrs: [],
      guests: [{ key: "web", vmid: 200, hostname: "web", ip: "192.168.0.20" }],
      edges: [
        {
          from: { label: "vpn", cidrs: ["2001:db8::/64", "10.9.0.0/16"] },
          to: "web",
          protocol: "tcp",
          ports,
          purpose: "many",
        },
      ],
    };
    const rules = guest(computeGuestFirewalls(model), "web").rules;
    expect(rules.map((r) => [r.source, r.dport?.split(",").length])).toEqual([
      ["10.9.0.0/16", 15],
      ["2001:db8::/64", 15],
      ["10.9.0.0/16", 5],
      ["2001:db8::/64", 5],
    ]);
    expect(
      isAllowed([guest(computeGuestFirewalls(model), "web")], {
        fromIp: "2001:db8::5",
        toGuest: "web",
        port: 10038,
        proto: "tcp",
      }),
    ).toBe(true);
  });

  it("gives icmp and vrrp rules without a port", () => {
    const model: FirewallModel = {
      siteCidr: "192.168.0.0/24",
      adminCidrs: [],
      guests: [
        { key: "lb-a", vmid: 200, hostname: "lb-a", ip: "192.168.0.20" },
        { key: "lb-b", vmid: 201, hostname: "lb-b", ip: "192.168.0.21" },
      ],
      edges: [{ from: { guest: "lb-b" }, to: "lb-a", protocol: "vrrp", purpose: "keepalived" }],
    };
    const fw = computeGuestFirewalls(model);
    expect(guest(fw, "lb-a").rules).toEqual([
      {
        type: "in",
        action: "ACCEPT",
        source: "192.168.0.21",
        proto: "vrrp",
        comment: "keepalived (from lb-b)",
      },
    ]);
    expect(isAllowed(fw, { fromIp: "192.168.0.21", toGuest: "lb-a", proto: "vrrp" })).toBe(true);
    expect(isAllowed(fw, { fromIp: "192.168.0.20", toGuest: "lb-b", proto: "vrrp" })).toBe(false);
  });
});

describe("model validation", () => {
  it("reports every problem at once, naming the key", () => {
    const bad: FirewallModel = {
      siteCidr: "192.168.0.0/24",
      adminCidrs: ["192.168.0.5/24"],
      guests: [
        { key: "db", vmid: 100, hostname: "db", ip: "192.168.0.10" },
        { key: "db", vmid: 100, hostname: "db2", ip: "192.168.1.10" },
      ],
      edges: [
        { from: { guest: "ghost" }, to: "db", protocol: "tcp", ports: [3306], purpose: "x" },
        {
          from: { label: "lan", cidrs: ["10.0.0.0/8"] },
          to: "db",
          protocol: "tcp",
          ports: [22],
          purpose: "ssh",
        },
        {
          from: { label: "lan", cidrs: ["10.0.0.0/8"] },
          to: "db",
          protocol: "tcp",
          ports: [0, { from: 9, to: 3 }],
          purpose: "y",
        },
        {
          from: { label: "lan", cidrs: ["10.0.0.0/8"] },
          to: "db",
          protocol: "icmp",
          ports: [1],
          purpose: "z",
        },
        { from: { label: "lan", cidrs: ["10.0.0.0/8"] }, to: "db", protocol: "udp", purpose: "line\nbreak" },
        { from: { guest: "db" }, to: "db", protocol: "tcp", ports: [1], purpose: "self" },
        { from: { label: "v6", cidrs: ["2001:db8::/64"] }, to: "db", protocol: "icmp", purpose: "ping" },
      ],
    };
    let problems: readonly string[] = [];
    try {
      computeGuestFirewalls(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(FirewallModelError);
      problems = (err as FirewallModelError).problems;
    }
    const text = problems.join("\n");
    expect(text).toContain("adminCidrs: 192.168.0.5/24 is not an address or a network CIDR");
    expect(text).toContain("guests.db: duplicate key");
    expect(text).toContain("guests.db.vmid: 100 is used by another guest");
    expect(text).toContain("guests.db.ip: 192.168.1.10 is outside siteCidr 192.168.0.0/24");
    expect(text).toContain("edges[0] (ghost → db).from: no guest with key ghost");
    expect(text).toContain("edges[1] (lan → db): SSH (22/tcp) may be opened only from adminCidrs");
    expect(text).toContain("edges[2] (lan → db): port 0 is not a port");
    expect(text).toContain('port {"from":9,"to":3} is not a port');
    expect(text).toContain("edges[3] (lan → db): icmp has no ports");
    expect(text).toContain("edges[4] (lan → db): udp needs ports");
    expect(text).toContain("edges[4] (lan → db).purpose: must be one line");
    expect(text).toContain("edges[5] (db → db): a guest needs no rule to reach itself");
    expect(text).toContain("edges[6] (v6 → db): icmp is IPv4 only");
  });

  it("leaves the edges to a Proxmox node to the node rules, and refuses an edge to every guest from a guest", () => {
    const model = prodModel();
    const toNode: ServiceEdge = {
      from: { guest: "redis" },
      to: "host:pve1",
      protocol: "tcp",
      ports: [9100],
      purpose: "metrics",
    };
    expect(computeGuestFirewalls({ ...model, edges: [...model.edges, toNode] })).toEqual(
      computeGuestFirewalls(model),
    );
    const fromGuest: ServiceEdge = { ...ADMIN_SSH, from: { guest: "redis" }, ports: [8080], purpose: "x" };
    expect(() => computeGuestFirewalls({ ...model, edges: [fromGuest] })).toThrow(
      "edges[0] (redis → *).from: an edge to every guest comes from named networks, not a guest",
    );
  });

  it("allows 22/tcp edges from inside the admin networks", () => {
    const model = prodModel();
    const fw = computeGuestFirewalls({
      ...model,
      edges: [
        ADMIN_SSH,
        {
          from: { label: "admin jump host", cidrs: ["10.8.0.4"] },
          to: "redis",
          protocol: "tcp",
          ports: [22],
          purpose: "jump",
        },
      ],
    });
    expect(guest(fw, "redis").rules.map((r) => r.source)).toEqual(["10.8.0.0/24,192.168.0.0/28", "10.8.0.4"]);
  });
});

describe("ports", () => {
  it("merges overlapping and adjacent ranges", () => {
    expect(mergePorts([443, { from: 80, to: 81 }, 82, 8000, { from: 7999, to: 8001 }])).toEqual([
      { from: 80, to: 82 },
      { from: 443, to: 443 },
      { from: 7999, to: 8001 },
    ]);
  });

  it("counts a range as two multiport slots", () => {
    const ranges = Array.from({ length: 8 }, (_, i) => ({ from: i * 10 + 1, to: i * 10 + 2 }));
    expect(chunkPorts(ranges).map((c) => c.length)).toEqual([7, 1]);
  });
});

describe("matrix", () => {
  it("lists admin SSH first, then every edge by destination VMID, as a Markdown table", () => {
    const markdown = renderFirewallMatrixMarkdown(buildFirewallMatrix(prodModel()));
    expect(markdown.split("\n").slice(0, 5)).toEqual([
      "| From | Source addresses | To | Port | Proto | Purpose |",
      "|---|---|---|---|---|---|",
      "| admins | 10.8.0.0/24,192.168.0.0/28 | every guest | 22 | tcp | admin SSH |",
      "| database-replica | 192.168.0.11 | database-primary (100) | 3306 | tcp | replication |",
      "| frappe-bowbo | 192.168.0.50 | database-primary (100) | 3306 | tcp | ERPNext → MariaDB |",
    ]);
    expect(markdown.trimEnd().split("\n")).toHaveLength(2 + prodModel().edges.length);
  });
});

describe("managementIpSet", () => {
  it("is the special `management` set with sorted, deduplicated admin networks", () => {
    const set = managementIpSet(
      ["192.168.0.0/28", "10.8.0.0/24", "10.8.0.0/24"],
      [{ cidr: "192.168.0.30", comment: "tunnel guest (Proxmox UI through Cloudflare Access)" }],
    );
    expect(set.name).toBe("management");
    expect(set.cidrs).toEqual([
      { name: "10.8.0.0/24", comment: "admin network" },
      { name: "192.168.0.0/28", comment: "admin network" },
      { name: "192.168.0.30", comment: "tunnel guest (Proxmox UI through Cloudflare Access)" },
    ]);
  });

  it("refuses an empty or malformed set", () => {
    expect(() => managementIpSet([])).toThrow("adminCidrs: empty");
    expect(() => managementIpSet(["10.0.0.1/8"])).toThrow("adminCidrs: 10.0.0.1/8 is not an address");
  });
});
