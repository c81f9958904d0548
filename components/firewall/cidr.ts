/**
 * Strict address and network parsing shared by the firewall and Fail2Ban renderers. Pure.
 * Strict means: IPv4 only in dotted four-part decimal (no `010.1.1.1` octal), no host bits set in a
 * network (`192.168.0.5/24` is rejected, it is almost always a typo), canonical text out.
 */
import ipaddr from "ipaddr.js";

export type IpFamily = "ipv4" | "ipv6";

/** A parsed network; a single address is a /32 (or /128). */
export interface Cidr {
  family: IpFamily;
  network: ipaddr.IPv4 | ipaddr.IPv6;
  bits: number;
  /** Canonical text: the bare address for a single host, `network/bits` otherwise. */
  text: string;
}

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes(":") || !ipaddr.IPv6.isValid(text)) return undefined;
  return ipaddr.IPv6.parse(text);
}

/** Parses `a.b.c.d`, `a.b.c.d/n` or an IPv6 equivalent; undefined when malformed or host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const [addressText, bitsText, ...rest] = text.trim().split("/");
  if (rest.length > 0) return undefined;
  const address = parseAddress(addressText);
  if (!address) return undefined;
  const family: IpFamily = address.kind();
  const maxBits = family === "ipv4" ? 32 : 128;
  let bits = maxBits;
  if (bitsText !== undefined) {
    if (!/^\d{1,3}$/.test(bitsText)) return undefined;
    bits = Number(bitsText);
    if (bits > maxBits) return undefined;
  }
  const network =
    family === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  if (network.toString() !== address.toString()) return undefined;
  const canonical = bits === maxBits ? address.toString() : `${address.toString()}/${bits}`;
  return { family, network: address, bits, text: canonical };
}

/** Parses a single address (no prefix length). */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  return text.includes("/") ? undefined : parseAddress(text.trim());
}

/** Whether the address lies inside the network. Different families never match. */
export function cidrContainsIp(cidr: Cidr, ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (ip.kind() !== cidr.family) return false;
  if (cidr.family === "ipv4") return (ip as ipaddr.IPv4).match(cidr.network as ipaddr.IPv4, cidr.bits);
  return (ip as ipaddr.IPv6).match(cidr.network as ipaddr.IPv6, cidr.bits);
}

/** Whether every address of `inner` lies inside `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.bits >= outer.bits && cidrContainsIp(outer, inner.network);
}

/** Orders IPv4 before IPv6, then by address bytes, then by prefix length (wider first). */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family === "ipv4" ? -1 : 1;
  const x = a.network.toByteArray();
  const y = b.network.toByteArray();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return a.bits - b.bits;
}
