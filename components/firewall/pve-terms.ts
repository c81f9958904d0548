/**
 * The words a Proxmox firewall rule may use, as the firewall tests' evaluator reads them: protocol
 * names, service names in port lists, macros and ICMP types. The tables are pve-tables.ts (the same
 * ones the nftables translation reads); this file only adds the evaluator's strictness: an unknown
 * word is an error, never a guess. Pure.
 */
import {
  ICMP,
  PROTOCOLS_WITH_PORTS,
  findMacro,
  icmpType as tableIcmpType,
  protocolNumber as tableProtocolNumber,
  servicePort,
  type IcmpType,
  type MacroEntry,
} from "./pve-tables";

export type { MacroEntry } from "./pve-tables";

/** Thrown for a rule word the evaluator does not know (it refuses to guess). */
export class FirewallTermError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FirewallTermError";
  }
}

/** Protocol number of a name or a number text (`tcp`, `6`); throws for an unknown name. */
export function protocolNumber(proto: string): number {
  const n = tableProtocolNumber(proto.trim().toLowerCase());
  if (n === undefined) throw new FirewallTermError(`unknown protocol ${proto}`);
  return n;
}

/** Whether `dport`/`sport` name ports for this protocol (otherwise dport is an ICMP type). */
export function hasPorts(proto: string): boolean {
  return PROTOCOLS_WITH_PORTS.has(protocolNumber(proto));
}

function portOf(text: string): number {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    if (n <= 65535) return n;
  }
  const n = servicePort(text);
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

/**
 * A macro's IPv4 entries (the evaluator models IPv4), looked up as Proxmox does: case-insensitively.
 * A macro Proxmox generates for IPv6 only matches nothing here. Throws for an unknown macro.
 */
export function macroEntries(name: string): readonly MacroEntry[] {
  const macro = findMacro(name);
  if (!macro) throw new FirewallTermError(`unknown macro ${name}`);
  return macro.onlyIpVersion === 6 ? [] : macro.entries;
}

/** The ICMP (v4) type a name or number stands for; `null` for `any`; throws for an unknown name. */
export function icmpType(name: string): IcmpType | null {
  const type = tableIcmpType(ICMP, name);
  if (type === undefined) throw new FirewallTermError(`unknown icmp type ${name}`);
  return type;
}
