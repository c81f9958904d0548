/**
 * Reads the firewall out of the resources a mock run registered: cluster options, per-guest
 * options, rules (cluster, node, guest), IP sets, aliases, security groups, node options, each
 * container's and VM's NICs with their `firewall` flag and addresses, and the nodes' addresses from
 * the provider's `ssh.nodes`. Pure: plain inputs in (as `pulumi up` would send them), plain data out.
 * A firewall resource it cannot place (an unknown type, a rule set aimed at a VMID no guest has,
 * two rule sets for one target whose order would depend on creation order) is an error, all at once.
 */
import ipaddr from "ipaddr.js";
import type {
  AliasInputs,
  FirewallView,
  GuestView,
  IpsetInputs,
  GuestNic,
  HostView,
  RuleInputs,
} from "../../components/firewall/firewall-view";
import {
  FIREWALL_TYPES as REGISTERED_TYPES,
  type RegisteredResource,
} from "../../components/firewall/registered";

export type { RegisteredResource };

/** The firewall tests' type tokens, plus the nodes' own firewall options. */
export const FIREWALL_TYPES = {
  ...REGISTERED_TYPES,
  nodeLegacy: "proxmoxve:node/firewallLegacy:FirewallLegacy",
  node: "proxmoxve:node/firewall:Firewall",
} as const;

const KNOWN = new Set<string>(Object.values(FIREWALL_TYPES));
/** Types that would touch the firewall but are not read here: refusing them keeps the box honest. */
const LOOKS_LIKE_FIREWALL = /^proxmoxve:.*(firewall|ipset|alias|security)/i;

export class FirewallExtractError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the registered firewall cannot be read:\n  ${problems.join("\n  ")}`);
    this.name = "FirewallExtractError";
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null) : [];
const record = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** A provider's nested inputs reach the engine as JSON text; a resource's as objects. */
function providerObject(v: unknown): Record<string, unknown> {
  if (typeof v !== "string") return record(v);
  try {
    return record(JSON.parse(v));
  } catch {
    return {};
  }
}

/** Drops undefined fields so the data compares and prints cleanly. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function rule(r: Record<string, unknown>): RuleInputs {
  const fields = [
    "type",
    "action",
    "securityGroup",
    "macro",
    "source",
    "dest",
    "proto",
    "dport",
    "sport",
    "iface",
    "log",
    "comment",
  ];
  const out: Record<string, unknown> = Object.fromEntries(fields.map((k) => [k, str(r[k])]));
  out.enabled = bool(r.enabled);
  return defined(out) as RuleInputs;
}

function ipset(i: Record<string, unknown>): IpsetInputs {
  return defined({
    name: str(i.name) ?? "",
    comment: str(i.comment),
    cidrs: list(i.cidrs).map((c) =>
      defined({ name: str(c.name) ?? "", nomatch: bool(c.nomatch), comment: str(c.comment) }),
    ),
  });
}

/** The static addresses (with prefix) of each NIC of a container or VM, from `initialization.ipConfigs`. */
function nicCidrs(r: RegisteredResource): string[][] {
  return list(record(r.inputs.initialization).ipConfigs).map((ip) =>
    [str(record(ip.ipv4).address), str(record(ip.ipv6).address)].flatMap((a) =>
      a && a !== "dhcp" && a !== "auto" ? [a] : [],
    ),
  );
}

function nics(r: RegisteredResource): GuestNic[] {
  const cidrs = nicCidrs(r);
  const devices =
    r.type === FIREWALL_TYPES.container ? list(r.inputs.networkInterfaces) : list(r.inputs.networkDevices);
  return devices.map((d, i) => ({
    iface: `net${i}`,
    // A VM's devices carry no name; the box names them as a Debian guest would see virtio NICs.
    device: str(d.name) ?? `eth${i}`,
    firewall: d.firewall === true && d.enabled !== false,
    addresses: (cidrs[i] ?? []).map((c) => c.split("/")[0]),
  }));
}

/** The registered guest network holding the node's address: Proxmox's local_network for that node. */
function localNetworkOf(address: string | undefined, guestCidrs: readonly string[]): string | undefined {
  if (!address || !ipaddr.isValid(address)) return undefined;
  const ip = ipaddr.parse(address);
  for (const cidr of guestCidrs) {
    if (!ipaddr.isValidCIDR(cidr)) continue;
    const [net, bits] = ipaddr.parseCIDR(cidr);
    if (net.kind() !== ip.kind() || !ip.match(net, bits)) continue;
    const network =
      net.kind() === "ipv4"
        ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
        : ipaddr.IPv6.networkAddressFromCIDR(cidr);
    return `${network.toString()}/${bits}`;
  }
  return undefined;
}

/** Reads every firewall-relevant registration; throws FirewallExtractError listing every problem. */
export function extractFirewall(stack: string, resources: readonly RegisteredResource[]): FirewallView {
  const problems: string[] = [];
  const of = (type: string) => resources.filter((r) => r.type === type);
  for (const r of resources)
    if (LOOKS_LIKE_FIREWALL.test(r.type) && !KNOWN.has(r.type))
      problems.push(`${r.type} ${r.name}: a firewall resource type the box does not translate`);

  const guests: GuestView[] = [...of(FIREWALL_TYPES.container), ...of(FIREWALL_TYPES.vm)].map((r) =>
    defined({
      key: r.name,
      kind: r.type === FIREWALL_TYPES.container ? ("ct" as const) : ("vm" as const),
      vmid: num(r.inputs.vmId) ?? -1,
      node: str(r.inputs.nodeName) ?? "",
      name: str(record(r.inputs.initialization).hostname) ?? str(r.inputs.name) ?? r.name,
      nics: nics(r),
      rules: [],
      ipsets: [],
      aliases: [],
    }),
  );
  for (const g of guests) if (g.vmid < 0) problems.push(`guest ${g.key}: no vmId registered`);

  const nodes = new Map<string, HostView>();
  for (const p of of(FIREWALL_TYPES.provider))
    for (const n of list(providerObject(p.inputs.ssh).nodes)) {
      const name = str(n.name);
      if (name && !nodes.has(name)) nodes.set(name, { name, address: str(n.address), rules: [] });
    }
  const nodeNamed = (name: string) => {
    if (!nodes.has(name)) nodes.set(name, { name, rules: [] });
    return nodes.get(name)!;
  };
  for (const g of guests) nodeNamed(g.node);

  const fw: FirewallView = {
    stack,
    clusterRules: [],
    ipsets: [],
    aliases: [],
    securityGroups: [],
    guests,
    hosts: [],
  };
  const seen = new Set<string>();
  /** The guest a guest-level resource targets, or undefined for node/cluster level. */
  const target = (r: RegisteredResource): { guest?: GuestView; node?: string; label: string } | undefined => {
    const vmid = num(r.inputs.containerId) ?? num(r.inputs.vmId);
    const node = str(r.inputs.nodeName);
    if (vmid === undefined) return { node, label: node ? `node ${node}` : "cluster" };
    const guest = guests.find((g) => g.vmid === vmid);
    if (!guest) return void problems.push(`${r.type} ${r.name}: no registered guest has VMID ${vmid}`);
    if (node !== undefined && node !== guest.node)
      problems.push(`${r.type} ${r.name}: nodeName ${node}, but guest ${guest.key} is on ${guest.node}`);
    return { guest, label: `guest ${guest.key}` };
  };
  const once = (kind: string, label: string, r: RegisteredResource) => {
    const id = `${kind}|${label}`;
    if (seen.has(id))
      problems.push(
        `${r.type} ${r.name}: a second ${kind} resource for ${label} (Proxmox's order would follow creation order)`,
      );
    seen.add(id);
  };

  for (const r of of(FIREWALL_TYPES.cluster)) {
    once("cluster options", "cluster", r);
    fw.cluster = defined({
      enabled: bool(r.inputs.enabled),
      inputPolicy: str(r.inputs.inputPolicy),
      outputPolicy: str(r.inputs.outputPolicy),
      ebtables: bool(r.inputs.ebtables),
    });
  }
  for (const r of of(FIREWALL_TYPES.options)) {
    const t = target(r);
    if (!t) continue;
    if (!t.guest) {
      problems.push(`${r.type} ${r.name}: options need containerId or vmId`);
      continue;
    }
    once("options", t.label, r);
    const i = r.inputs;
    t.guest.options = defined({
      enabled: bool(i.enabled),
      inputPolicy: str(i.inputPolicy),
      outputPolicy: str(i.outputPolicy),
      dhcp: bool(i.dhcp),
      ndp: bool(i.ndp),
      radv: bool(i.radv),
      macfilter: bool(i.macfilter),
      ipfilter: bool(i.ipfilter),
    });
  }
  for (const r of of(FIREWALL_TYPES.rules)) {
    const t = target(r);
    if (!t) continue;
    once("rules", t.label, r);
    const rules = list(r.inputs.rules).map(rule);
    if (t.guest) t.guest.rules = rules;
    else if (t.node) nodeNamed(t.node).rules = rules;
    else fw.clusterRules = rules;
  }
  for (const [type, kind] of [
    [FIREWALL_TYPES.ipset, "ipsets"],
    [FIREWALL_TYPES.alias, "aliases"],
  ] as const)
    for (const r of of(type)) {
      const t = target(r);
      if (!t) continue;
      if (!t.guest && t.node) {
        problems.push(`${r.type} ${r.name}: Proxmox has no node-level ${kind}`);
        continue;
      }
      const owner = t.guest ?? fw;
      if (kind === "ipsets") {
        const set = ipset(r.inputs);
        if (owner.ipsets.some((s) => s.name === set.name))
          problems.push(`${r.type} ${r.name}: IP set ${set.name} twice in ${t.label}`);
        owner.ipsets.push(set);
      } else {
        const name = str(r.inputs.name) ?? "";
        const alias: AliasInputs = defined({
          name,
          cidr: str(r.inputs.cidr) ?? "",
          comment: str(r.inputs.comment),
        });
        if (owner.aliases.some((a) => a.name?.toLowerCase() === name.toLowerCase()))
          problems.push(`${r.type} ${r.name}: alias ${alias.name} twice in ${t.label}`);
        owner.aliases.push(alias);
      }
    }
  for (const r of of(FIREWALL_TYPES.securityGroup))
    fw.securityGroups.push({ name: str(r.inputs.name) ?? "", rules: list(r.inputs.rules).map(rule) });
  for (const r of [...of(FIREWALL_TYPES.nodeLegacy), ...of(FIREWALL_TYPES.node)]) {
    const name = str(r.inputs.nodeName) ?? "";
    once("node options", `node ${name}`, r);
    nodeNamed(name).options = defined({
      enabled: bool(r.inputs.enabled),
      ndp: bool(r.inputs.ndp),
      nosmurfs: bool(r.inputs.nosmurfs),
      nftables: bool(r.inputs.nftables),
    });
  }
  const guestCidrs = [...of(FIREWALL_TYPES.container), ...of(FIREWALL_TYPES.vm)].flatMap((r) =>
    nicCidrs(r).flat(),
  );
  fw.hosts = [...nodes.values()].map((n) =>
    defined({ ...n, localNetwork: localNetworkOf(n.address, guestCidrs) }),
  );
  if (problems.length > 0) throw new FirewallExtractError(problems);
  return fw;
}
