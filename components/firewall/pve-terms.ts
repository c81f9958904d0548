/**
 * The words a Proxmox firewall rule may use, as pve-firewall reads them: protocol names
 * (/etc/protocols), service names in port lists (/etc/services) and macros (pve-firewall's macro
 * table, taken from Shorewall). Only the entries this project can meet are listed; an unknown word
 * is an error, never a guess. Pure.
 */

/** Protocol name → number, as in /etc/protocols. */
const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  "ipv6-icmp": 58,
  icmpv6: 58,
  ospf: 89,
  vrrp: 112,
  sctp: 132,
  udplite: 136,
  dccp: 33,
};

/** Protocols whose `dport`/`sport` are ports (pve-firewall's PROTOCOLS_WITH_PORTS). */
const WITH_PORTS = new Set([6, 17, 33, 132, 136]);

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

export interface MacroEntry {
  proto: string;
  /** Port list for tcp/udp, ICMP type for icmp; absent = every port. */
  dport?: string;
}

/** pve-firewall macros (IPv4 variants), by name; a subset of pve-firewall's table, same entries. */
export const MACROS: Readonly<Record<string, readonly MacroEntry[]>> = {
  DNS: [
    { proto: "udp", dport: "53" },
    { proto: "tcp", dport: "53" },
  ],
  HTTP: [{ proto: "tcp", dport: "80" }],
  HTTPS: [{ proto: "tcp", dport: "443" }],
  Web: [
    { proto: "tcp", dport: "80" },
    { proto: "tcp", dport: "443" },
  ],
  SSH: [{ proto: "tcp", dport: "22" }],
  MySQL: [{ proto: "tcp", dport: "3306" }],
  PostgreSQL: [{ proto: "tcp", dport: "5432" }],
  NTP: [{ proto: "udp", dport: "123" }],
  Ping: [{ proto: "icmp", dport: "echo-request" }],
  RDP: [{ proto: "tcp", dport: "3389" }],
  SMTP: [{ proto: "tcp", dport: "25" }],
  Printer: [{ proto: "tcp", dport: "515" }],
};

/** Thrown for a rule word the evaluator does not know (it refuses to guess). */
export class FirewallTermError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FirewallTermError";
  }
}

/** Protocol number of a name or a number text (`tcp`, `6`); throws for an unknown name. */
export function protocolNumber(proto: string): number {
  const text = proto.trim().toLowerCase();
  if (/^\d{1,3}$/.test(text) && Number(text) <= 255) return Number(text);
  const n = PROTOCOL_NUMBERS[text];
  if (n === undefined) throw new FirewallTermError(`unknown protocol ${proto}`);
  return n;
}

/** Whether `dport`/`sport` name ports for this protocol (otherwise dport is an ICMP type). */
export function hasPorts(proto: string): boolean {
  return WITH_PORTS.has(protocolNumber(proto));
}

function portOf(text: string): number {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    if (n <= 65535) return n;
  }
  const n = SERVICE_PORTS[text.toLowerCase()];
  if (n === undefined) throw new FirewallTermError(`unknown port or service ${text}`);
  return n;
}

/** Whether `port` is in a Proxmox port list (`80,443,8000:8010`, service names allowed). */
export function portListContains(list: string, port: number): boolean {
  return list.split(",").some((part) => {
    const [from, to = from] = part.trim().split(":");
    return portOf(from) <= port && port <= portOf(to);
  });
}

/** A macro's entries; throws for an unknown macro name (names are case-sensitive in Proxmox). */
export function macroEntries(name: string): readonly MacroEntry[] {
  const entries = MACROS[name];
  if (!entries) throw new FirewallTermError(`unknown macro ${name}`);
  return entries;
}
