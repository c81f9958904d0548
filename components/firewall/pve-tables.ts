/**
 * Reference tables of the Proxmox VE firewall (pve-docs "Proxmox VE Firewall", Firewall Macro
 * Definitions): macros, protocol numbers as Debian's /etc/protocols gives them, service names of
 * port lists as /etc/services gives them, and the iptables ICMP type names a rule's `dport` may
 * carry for icmp/icmpv6. Pure data, the one copy both the nftables translation (pve-compile.ts) and
 * the firewall tests' evaluator (pve-terms.ts) read. Only a subset of Proxmox's macros is
 * implemented; any other macro name fails translation with a message naming the rule, and the
 * evaluator refuses it.
 */

/** One expansion line of a macro: the rule's own action, with these match fields. */
export interface MacroEntry {
  proto: string;
  dport?: string;
  sport?: string;
}

export interface Macro {
  /** Proxmox's spelling, which rules use in any case. */
  name: string;
  entries: readonly MacroEntry[];
  /** Entries used when generating the IPv6 ruleset, where Proxmox has an IPv6 variant. */
  ipv6Entries?: readonly MacroEntry[];
  /** Set when Proxmox generates the macro for one IP version only. */
  onlyIpVersion?: 4 | 6;
}

const tcp = (dport: string): MacroEntry => ({ proto: "tcp", dport });
const udp = (dport: string, sport?: string): MacroEntry => ({
  proto: "udp",
  dport,
  ...(sport ? { sport } : {}),
});

const MACROS: readonly Macro[] = [
  { name: "DHCPfwd", entries: [udp("67:68", "67:68")] },
  { name: "DHCPv6", entries: [udp("546:547", "546:547")], onlyIpVersion: 6 },
  { name: "DNS", entries: [udp("53"), tcp("53")] },
  { name: "HTTP", entries: [tcp("80")] },
  { name: "HTTPS", entries: [tcp("443")] },
  { name: "IMAP", entries: [tcp("143")] },
  { name: "IMAPS", entries: [tcp("993")] },
  { name: "Mail", entries: [tcp("25"), tcp("465"), tcp("587")] },
  { name: "MySQL", entries: [tcp("3306")] },
  {
    name: "NeighborDiscovery",
    entries: [
      "router-solicitation",
      "router-advertisement",
      "neighbor-solicitation",
      "neighbor-advertisement",
    ].map((dport) => ({ proto: "icmpv6", dport })),
    onlyIpVersion: 6,
  },
  { name: "NTP", entries: [udp("123")] },
  {
    name: "Ping",
    entries: [{ proto: "icmp", dport: "echo-request" }],
    ipv6Entries: [{ proto: "icmpv6", dport: "echo-request" }],
  },
  { name: "PostgreSQL", entries: [tcp("5432")] },
  { name: "Printer", entries: [tcp("515")] },
  { name: "RDP", entries: [tcp("3389")] },
  { name: "Rsync", entries: [tcp("873")] },
  { name: "SMTP", entries: [tcp("25")] },
  { name: "SMTPS", entries: [tcp("465")] },
  { name: "SNMP", entries: [udp("161:162"), tcp("161")] },
  { name: "SSH", entries: [tcp("22")] },
  { name: "Submission", entries: [tcp("587")] },
  { name: "Syslog", entries: [udp("514"), tcp("514")] },
  {
    name: "Trcrt",
    entries: [udp("33434:33524"), { proto: "icmp", dport: "echo-request" }],
    ipv6Entries: [udp("33434:33524"), { proto: "icmpv6", dport: "echo-request" }],
  },
  { name: "VNC", entries: [tcp("5900:5999")] },
  { name: "Web", entries: [tcp("80"), tcp("443")] },
];

/** Looks a macro up the way Proxmox does: case-insensitively. */
export function findMacro(name: string): Macro | undefined {
  const lower = name.toLowerCase();
  return MACROS.find((m) => m.name.toLowerCase() === lower);
}

export const IMPLEMENTED_MACROS: readonly string[] = MACROS.map((m) => m.name);

/** Protocol names accepted in `proto`, with their numbers (Debian netbase /etc/protocols). */
const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipencap: 4,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  "ipv6-icmp": 58,
  ipip: 94,
  ospf: 89,
  pim: 103,
  vrrp: 112,
  l2tp: 115,
  sctp: 132,
  udplite: 136,
  dccp: 33,
};

/** The protocol number of a name or number; undefined when Proxmox would reject it. */
export function protocolNumber(proto: string): number | undefined {
  if (/^\d{1,3}$/.test(proto)) return Number(proto) <= 255 ? Number(proto) : undefined;
  return PROTOCOL_NUMBERS[proto];
}

/** Service name → port, as in /etc/services (tcp and udp alike for these). */
const SERVICE_PORTS: Readonly<Record<string, number>> = {
  ssh: 22,
  smtp: 25,
  domain: 53,
  http: 80,
  sunrpc: 111,
  ntp: 123,
  https: 443,
  submission: 587,
  "microsoft-ds": 445,
  ipp: 631,
  nfs: 2049,
  mysql: 3306,
  "ms-wbt-server": 3389,
};

/** The port a service name stands for; undefined when it is not in the table. */
export function servicePort(name: string): number | undefined {
  return SERVICE_PORTS[name.toLowerCase()];
}

/** Protocols whose rules may carry ports (Proxmox's list). */
export const PROTOCOLS_WITH_PORTS: ReadonlySet<number> = new Set([6, 17, 33, 132, 136]);
export const ICMP = 1;
export const ICMPV6 = 58;

export interface IcmpType {
  type: number;
  code?: number;
}

/** iptables `--icmp-type` names, which Proxmox accepts in `dport` for proto icmp. */
const ICMP_TYPES: Readonly<Record<string, IcmpType>> = {
  "echo-reply": { type: 0 },
  "destination-unreachable": { type: 3 },
  "network-unreachable": { type: 3, code: 0 },
  "host-unreachable": { type: 3, code: 1 },
  "protocol-unreachable": { type: 3, code: 2 },
  "port-unreachable": { type: 3, code: 3 },
  "fragmentation-needed": { type: 3, code: 4 },
  "source-route-failed": { type: 3, code: 5 },
  "network-unknown": { type: 3, code: 6 },
  "host-unknown": { type: 3, code: 7 },
  "network-prohibited": { type: 3, code: 9 },
  "host-prohibited": { type: 3, code: 10 },
  "TOS-network-unreachable": { type: 3, code: 11 },
  "TOS-host-unreachable": { type: 3, code: 12 },
  "communication-prohibited": { type: 3, code: 13 },
  "host-precedence-violation": { type: 3, code: 14 },
  "precedence-cutoff": { type: 3, code: 15 },
  "source-quench": { type: 4 },
  redirect: { type: 5 },
  "network-redirect": { type: 5, code: 0 },
  "host-redirect": { type: 5, code: 1 },
  "TOS-network-redirect": { type: 5, code: 2 },
  "TOS-host-redirect": { type: 5, code: 3 },
  "echo-request": { type: 8 },
  "router-advertisement": { type: 9 },
  "router-solicitation": { type: 10 },
  "time-exceeded": { type: 11 },
  "ttl-zero-during-transit": { type: 11, code: 0 },
  "ttl-zero-during-reassembly": { type: 11, code: 1 },
  "parameter-problem": { type: 12 },
  "ip-header-bad": { type: 12, code: 0 },
  "required-option-missing": { type: 12, code: 1 },
  "timestamp-request": { type: 13 },
  "timestamp-reply": { type: 14 },
  "address-mask-request": { type: 17 },
  "address-mask-reply": { type: 18 },
};

/** ip6tables `--icmpv6-type` names. */
const ICMPV6_TYPES: Readonly<Record<string, IcmpType>> = {
  "destination-unreachable": { type: 1 },
  "no-route": { type: 1, code: 0 },
  "communication-prohibited": { type: 1, code: 1 },
  "beyond-scope": { type: 1, code: 2 },
  "address-unreachable": { type: 1, code: 3 },
  "port-unreachable": { type: 1, code: 4 },
  "failed-policy": { type: 1, code: 5 },
  "reject-route": { type: 1, code: 6 },
  "packet-too-big": { type: 2 },
  "time-exceeded": { type: 3 },
  "ttl-zero-during-transit": { type: 3, code: 0 },
  "ttl-zero-during-reassembly": { type: 3, code: 1 },
  "parameter-problem": { type: 4 },
  "bad-header": { type: 4, code: 0 },
  "unknown-header-type": { type: 4, code: 1 },
  "unknown-option": { type: 4, code: 2 },
  "echo-request": { type: 128 },
  "echo-reply": { type: 129 },
  "router-solicitation": { type: 133 },
  "router-advertisement": { type: 134 },
  "neighbor-solicitation": { type: 135 },
  "neighbour-solicitation": { type: 135 },
  "neighbor-advertisement": { type: 136 },
  "neighbour-advertisement": { type: 136 },
  redirect: { type: 137 },
};

/**
 * The ICMP type a `dport` names for icmp (v4) or icmpv6; `null` for `any` (no type match);
 * undefined when unknown.
 */
export function icmpType(proto: number, name: string): IcmpType | null | undefined {
  if (/^\d{1,3}$/.test(name)) return Number(name) <= 255 ? { type: Number(name) } : undefined;
  if (proto === ICMP && name === "any") return null;
  return (proto === ICMP ? ICMP_TYPES : ICMPV6_TYPES)[name];
}
