/**
 * A rule's `source`/`dest` as pve-firewall reads it: a comma-separated list of addresses, networks,
 * ranges (`10.0.0.1-10.0.0.9`), IP sets (`+name`, `+dc/name`, `+guest/name`) and aliases
 * (`name`, `dc/name`, `guest/name`). Guest-level IP sets and aliases are looked up before the
 * cluster's, as Proxmox does. An unknown name is an error: Proxmox would skip such a rule with a
 * warning, which is always a bug in what the program registered. Pure.
 */
import ipaddr from "ipaddr.js";
import { cidrContainsIp, parseCidr, parseIp } from "./cidr";
import type { AliasInputs, FirewallScope, IpsetInputs } from "./registered";

export type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** The IP sets and aliases a rule can see: its guest's own, then the cluster's. */
export interface AddressBook {
  ipsets: readonly IpsetInputs[];
  aliases: readonly AliasInputs[];
  /** Proxmox's detected `local_network`, used when no alias of that name is registered. */
  localNetwork?: string;
}

/** A guest's id or none for the cluster/node level. */
export type Owner = number | undefined;

export class AddressSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AddressSpecError";
  }
}

function ownerOf(scope: FirewallScope): Owner {
  return scope.vmId ?? scope.containerId;
}

function isClusterLevel(scope: FirewallScope): boolean {
  return ownerOf(scope) === undefined && scope.nodeName === undefined;
}

function scoped(name: string): { level: "dc" | "guest" | "any"; name: string } {
  const m = /^(dc|guest)\/(.+)$/.exec(name);
  return m ? { level: m[1] as "dc" | "guest", name: m[2] } : { level: "any", name };
}

function lookup<T extends FirewallScope & { name?: string }>(
  items: readonly T[],
  reference: string,
  owner: Owner,
): T | undefined {
  const { level, name } = scoped(reference);
  const same = (i: T) => (i.name ?? "").toLowerCase() === name.toLowerCase();
  const guest = owner === undefined ? undefined : items.find((i) => same(i) && ownerOf(i) === owner);
  const cluster = items.find((i) => same(i) && isClusterLevel(i));
  if (level === "guest") return guest;
  if (level === "dc") return cluster;
  return guest ?? cluster;
}

function aliasNetwork(book: AddressBook, reference: string, owner: Owner): string {
  const alias = lookup(book.aliases, reference, owner);
  if (alias) return alias.cidr;
  if (scoped(reference).name.toLowerCase() === "local_network" && book.localNetwork) return book.localNetwork;
  throw new AddressSpecError(`no alias ${reference}`);
}

function inRange(ip: Ip, from: Ip, to: Ip): boolean {
  if (ip.kind() !== from.kind() || ip.kind() !== to.kind()) return false;
  const key = (a: Ip) =>
    a
      .toByteArray()
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
  return key(from) <= key(ip) && key(ip) <= key(to);
}

function plainMatch(item: string, ip: Ip): boolean | undefined {
  const range = /^([^-]+)-([^-]+)$/.exec(item);
  if (range) {
    const [from, to] = [parseIp(range[1]), parseIp(range[2])];
    if (!from || !to) throw new AddressSpecError(`${item} is not an address range`);
    return inRange(ip, from, to);
  }
  // Proxmox drops a /32 (or /128) suffix; parseCidr wants the network address for a prefix.
  const cidr = parseCidr(item);
  if (cidr) return cidrContainsIp(cidr, ip);
  return undefined;
}

function entryMatches(book: AddressBook, entry: string, ip: Ip, owner: Owner): boolean {
  const plain = plainMatch(entry, ip);
  if (plain !== undefined) return plain;
  const net = parseCidr(aliasNetwork(book, entry, owner));
  if (!net) throw new AddressSpecError(`alias ${entry} is not an address or a network`);
  return cidrContainsIp(net, ip);
}

function ipsetMatches(book: AddressBook, reference: string, ip: Ip, owner: Owner): boolean {
  const set = lookup(book.ipsets, reference, owner);
  if (!set) throw new AddressSpecError(`no IP set ${reference}`);
  const entries = set.cidrs ?? [];
  const hit = entries.some((e) => !e.nomatch && entryMatches(book, e.name, ip, owner));
  return hit && !entries.some((e) => e.nomatch && entryMatches(book, e.name, ip, owner));
}

/** Whether `ip` matches a rule's `source`/`dest` text, seen from the guest `owner` (or cluster/node level). */
export function addressSpecMatches(book: AddressBook, spec: string, ip: Ip, owner: Owner): boolean {
  return spec
    .split(",")
    .map((item) => item.trim())
    .some((item) => {
      if (item.startsWith("+")) return ipsetMatches(book, item.slice(1), ip, owner);
      return entryMatches(book, item, ip, owner);
    });
}

/** Whether `ip` is in an IP set if that set exists (the standard sets `management`, `blacklist`). */
export function inIpsetIfAny(book: AddressBook, name: string, ip: Ip, owner: Owner): boolean {
  return lookup(book.ipsets, name, owner) !== undefined && ipsetMatches(book, name, ip, owner);
}
