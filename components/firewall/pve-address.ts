/**
 * Addresses in a Proxmox firewall rule, as pve-firewall resolves them: an address list, a range
 * `a-b`, an alias (guest level first, then cluster; `dc/`, `guest/` force one) or `+set` (likewise),
 * and how each becomes an nftables match for one IP version. Pure.
 */
import { parseCidr, type Cidr } from "./cidr";
import type { AliasInputs, IpsetInputs } from "./firewall-view";

export type IpVersion = 4 | 6;
export const IP_VERSIONS: readonly IpVersion[] = [4, 6];

/** Where a rule lives decides which references it may use and which fields are allowed. */
export type RuleEnv = "guest" | "host" | "group";

/** IP sets and aliases a rule may name, searched guest level first. */
export interface AddressScope {
  guest?: { ipsets: readonly IpsetInputs[]; aliases: readonly AliasInputs[] };
  cluster: { ipsets: readonly IpsetInputs[]; aliases: readonly AliasInputs[] };
}

/** An IP set as nftables sees it: a named set per IP version, plus its `nomatch` exceptions. */
export function setName(level: "dc" | "guest", name: string, version: IpVersion, nomatch = false): string {
  return `${level}_${name}_v${version}${nomatch ? "_nomatch" : ""}`;
}

/** Proxmox's pattern for IP set, alias and security group names. */
export const NAME = /^[A-Za-z][A-Za-z0-9\-_]+$/;

/** Records a problem; returns undefined so callers can `return fail(...)`. */
export function fail(problems: string[], where: string, message: string): undefined {
  problems.push(`${where}: ${message}`);
  return undefined;
}

function familyOf(cidr: Cidr): IpVersion {
  return cidr.family === "ipv4" ? 4 : 6;
}

export type Address =
  | { kind: "set"; level: "dc" | "guest"; name: string; nomatch: boolean }
  | { kind: "list"; version: IpVersion; text: string };

function findAlias(name: string, scope: AddressScope, env: RuleEnv): { cidr: string } | undefined {
  const [, prefix, bare] = /^(dc\/|guest\/)?(.*)$/.exec(name)!;
  const lower = bare.toLowerCase();
  const pick = (list: readonly AliasInputs[] | undefined) =>
    list?.find((a) => (a.name ?? "").toLowerCase() === lower);
  const guest = prefix !== "dc/" && env === "guest" ? pick(scope.guest?.aliases) : undefined;
  return guest ?? (prefix !== "guest/" ? pick(scope.cluster.aliases) : undefined);
}

export function resolveAddress(
  problems: string[],
  where: string,
  text: string,
  scope: AddressScope,
  env: RuleEnv,
): Address | undefined {
  const set = /^\+(guest\/|dc\/)?(.+)$/.exec(text);
  if (set) {
    const [, prefix, name] = set;
    if (!NAME.test(name)) return fail(problems, where, `invalid IP set name ${text}`);
    const guestSet =
      prefix !== "dc/" && env === "guest" ? scope.guest?.ipsets.find((s) => s.name === name) : undefined;
    const clusterSet = prefix !== "guest/" ? scope.cluster.ipsets.find((s) => s.name === name) : undefined;
    const found = guestSet ?? clusterSet;
    if (!found) return fail(problems, where, `no such IP set ${text}`);
    return {
      kind: "set",
      level: guestSet ? "guest" : "dc",
      name,
      nomatch: (found.cidrs ?? []).some((e) => e.nomatch === true),
    };
  }
  if (/^(dc\/|guest\/)?[A-Za-z][A-Za-z0-9\-_]+$/.test(text)) {
    const alias = findAlias(text, scope, env);
    const cidr = alias ? parseCidr(alias.cidr) : undefined;
    if (!cidr) return fail(problems, where, `no such alias ${text}`);
    return { kind: "list", version: familyOf(cidr), text: cidr.text };
  }
  const range = /^([^,-]+)-([^,-]+)$/.exec(text);
  if (range) {
    const [from, to] = [parseCidr(range[1]), parseCidr(range[2])];
    const single = (c: Cidr | undefined) => c && c.bits === (c.family === "ipv4" ? 32 : 128);
    if (!single(from) || !single(to) || from!.family !== to!.family)
      return fail(problems, where, `${text} is not an address range of one IP version`);
    return { kind: "list", version: familyOf(from!), text: `${from!.text}-${to!.text}` };
  }
  const items = text.split(",");
  const cidrs = items.map((item) => parseCidr(item));
  if (items.some((item) => item === "") || cidrs.some((c) => c === undefined))
    return fail(problems, where, `${text} is not a list of addresses or networks (host bits must be zero)`);
  const versions = new Set(cidrs.map((c) => familyOf(c!)));
  if (versions.size > 1) return fail(problems, where, `${text} mixes IPv4 and IPv6 addresses`);
  const texts = cidrs.map((c) => c!.text);
  return {
    kind: "list",
    version: [...versions][0],
    text: texts.length === 1 ? texts[0] : `{ ${texts.join(", ")} }`,
  };
}

export function addressMatch(address: Address, field: "saddr" | "daddr", version: IpVersion): string {
  const ip = version === 4 ? "ip" : "ip6";
  if (address.kind === "list") return `${ip} ${field} ${address.text}`;
  const base = `${ip} ${field} @${setName(address.level, address.name, version)}`;
  return address.nomatch
    ? `${base} ${ip} ${field} != @${setName(address.level, address.name, version, true)}`
    : base;
}
