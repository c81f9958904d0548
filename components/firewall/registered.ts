/**
 * The firewall as the program REGISTERS it: the inputs of the proxmoxve resources that decide what
 * Proxmox filters (cluster options, per-guest options, rules, IP sets, aliases, security groups, and
 * each guest's NICs with their `firewall` flag), as plain data. Pure: no Pulumi import.
 *
 * Field names are the provider's own (`inputPolicy`, `containerId`, `networkInterfaces[].firewall`),
 * so the inputs a mock run records, or `plan.json`'s `resources[].inputs`, read straight in
 * (`registeredFirewallFrom`). The unit tests check these types against the SDK's argument types.
 * The evaluator (`evaluate.ts`) answers questions over this data; nothing here knows the site model.
 */

/** Type tokens of the resources read here (`proxmoxve` 8.x, the Legacy resources the program uses). */
export const FIREWALL_TYPES = {
  cluster: "proxmoxve:cluster/firewallLegacy:FirewallLegacy",
  options: "proxmoxve:firewall/optionsLegacy:OptionsLegacy",
  rules: "proxmoxve:firewall/rulesLegacy:RulesLegacy",
  ipset: "proxmoxve:firewall/ipsetLegacy:IpsetLegacy",
  alias: "proxmoxve:firewall/aliasLegacy:AliasLegacy",
  securityGroup: "proxmoxve:cluster/firewall/security/groupLegacy:GroupLegacy",
  container: "proxmoxve:index/containerLegacy:ContainerLegacy",
  vm: "proxmoxve:index/vmLegacy:VmLegacy",
  provider: "pulumi:providers:proxmoxve",
} as const;

/** `cluster.fw` [OPTIONS]: `enabled` defaults to false (the whole firewall off), policies DROP/ACCEPT. */
export interface ClusterFirewallInputs {
  enabled?: boolean;
  inputPolicy?: string;
  outputPolicy?: string;
  forwardPolicy?: string;
  ebtables?: boolean;
}

/** Where a guest-, node- or cluster-level object sits: both ids absent and no node = cluster level. */
export interface FirewallScope {
  nodeName?: string;
  vmId?: number;
  containerId?: number;
}

/** `<vmid>.fw` [OPTIONS]: `enabled` defaults to false, `inputPolicy` to DROP, `outputPolicy` to ACCEPT. */
export interface GuestOptionsInputs extends FirewallScope {
  nodeName: string;
  enabled?: boolean;
  inputPolicy?: string;
  outputPolicy?: string;
  ipfilter?: boolean;
  macfilter?: boolean;
}

/** One rule of `RulesLegacy` or of a security group; `securityGroup` set = insert that group here. */
export interface RuleInputs {
  type?: string;
  action?: string;
  macro?: string;
  proto?: string;
  dport?: string;
  sport?: string;
  source?: string;
  dest?: string;
  iface?: string;
  /** Defaults to true. */
  enabled?: boolean;
  securityGroup?: string;
  comment?: string;
  pos?: number;
  log?: string;
}

/** Rules of a guest (vmId/containerId), of a node (nodeName only) or of the cluster (neither). */
export interface RulesInputs extends FirewallScope {
  rules?: RuleInputs[];
}

export interface IpsetEntryInputs {
  /** An address, a network or an alias name. */
  name: string;
  comment?: string;
  /** Excluded from the set. */
  nomatch?: boolean;
}

/** `[IPSET name]`: referenced as `+name` in a rule's source or dest; cluster level without scope. */
export interface IpsetInputs extends FirewallScope {
  name?: string;
  comment?: string;
  cidrs?: IpsetEntryInputs[];
}

/** `[ALIASES]`: a name for one address or network. */
export interface AliasInputs extends FirewallScope {
  name?: string;
  cidr: string;
  comment?: string;
}

/** `[group name]` in cluster.fw. */
export interface SecurityGroupInputs extends FirewallScope {
  name?: string;
  comment?: string;
  rules?: RuleInputs[];
}

export interface IpConfigInputs {
  ipv4?: { address?: string; gateway?: string };
  ipv6?: { address?: string; gateway?: string };
}

/** What of a container decides filtering: its NICs (net0, net1… in order) and their addresses. */
export interface ContainerInputs {
  vmId?: number;
  nodeName: string;
  networkInterfaces?: { name: string; firewall?: boolean; enabled?: boolean; bridge?: string }[];
  initialization?: { hostname?: string; ipConfigs?: IpConfigInputs[] };
}

/** What of a VM decides filtering: its NICs (net0, net1… in order) and, with cloud-init, addresses. */
export interface VmInputs {
  vmId?: number;
  name?: string;
  nodeName: string;
  networkDevices?: { firewall?: boolean; enabled?: boolean; disconnected?: boolean; bridge?: string }[];
  initialization?: { ipConfigs?: IpConfigInputs[] };
}

/** A Proxmox node as the provider's `ssh.nodes` names it. */
export interface HostInputs {
  name: string;
  address: string;
}

/** Everything the evaluator reads. Lists keep registration order (it matters for rules). */
export interface RegisteredFirewall {
  cluster?: ClusterFirewallInputs;
  options: GuestOptionsInputs[];
  rules: RulesInputs[];
  ipsets: IpsetInputs[];
  aliases: AliasInputs[];
  securityGroups: SecurityGroupInputs[];
  containers: ContainerInputs[];
  vms: VmInputs[];
  hosts: HostInputs[];
  /**
   * Proxmox's `local_network` alias when cluster.fw does not define it: the network of the node's
   * own address, detected at run time (`pve-firewall localnet`). It is added to the `management`
   * IP set, so it reaches 8006/22 on the nodes. Not a registered input: the caller states it.
   */
  localNetwork?: string;
}

/** One recorded registration: a mock run's resources and plan.json's `resources` both fit. */
export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** Thrown when a registered input does not have the shape the provider expects. */
export class RegisteredInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegisteredInputError";
  }
}

function hostsOf(r: RegisteredResource): HostInputs[] {
  // Provider inputs arrive JSON-encoded (the engine sends provider config as strings).
  const raw = r.inputs.ssh;
  let ssh: unknown = raw;
  if (typeof raw === "string") {
    try {
      ssh = JSON.parse(raw);
    } catch {
      throw new RegisteredInputError(
        `${r.name}.ssh: not readable (${raw === "[secret]" ? "marked secret" : "not JSON"})`,
      );
    }
  }
  const nodes = ssh && typeof ssh === "object" ? (ssh as { nodes?: unknown }).nodes : undefined;
  if (!Array.isArray(nodes)) return [];
  return nodes.map((n: unknown, i) => {
    const { name, address } = (n ?? {}) as Record<string, unknown>;
    if (typeof name !== "string" || typeof address !== "string")
      throw new RegisteredInputError(`${r.name}.ssh.nodes[${i}]: expected { name, address } strings`);
    return { name, address };
  });
}

function checked<T>(r: RegisteredResource, required: readonly string[]): T {
  for (const key of required) {
    if (r.inputs[key] === undefined)
      throw new RegisteredInputError(`${r.type} ${r.name}: input ${key} is missing`);
  }
  for (const [key, value] of Object.entries(r.inputs)) {
    if (value === "[secret]")
      throw new RegisteredInputError(
        `${r.type} ${r.name}: input ${key} is secret; firewall inputs never are`,
      );
  }
  return r.inputs as T;
}

/**
 * Picks the firewall-relevant registrations out of a run, by type token, in registration order.
 * More than one cluster firewall is refused (Proxmox has one cluster.fw).
 */
export function registeredFirewallFrom(
  resources: readonly RegisteredResource[],
  options: { localNetwork?: string } = {},
): RegisteredFirewall {
  const fw: RegisteredFirewall = {
    options: [],
    rules: [],
    ipsets: [],
    aliases: [],
    securityGroups: [],
    containers: [],
    vms: [],
    hosts: [],
    localNetwork: options.localNetwork,
  };
  for (const r of resources) {
    switch (r.type) {
      case FIREWALL_TYPES.cluster:
        if (fw.cluster) throw new RegisteredInputError(`${r.name}: a second cluster firewall`);
        fw.cluster = checked<ClusterFirewallInputs>(r, []);
        break;
      case FIREWALL_TYPES.options:
        fw.options.push(checked<GuestOptionsInputs>(r, ["nodeName"]));
        break;
      case FIREWALL_TYPES.rules:
        fw.rules.push(checked<RulesInputs>(r, []));
        break;
      case FIREWALL_TYPES.ipset:
        fw.ipsets.push(checked<IpsetInputs>(r, ["name"]));
        break;
      case FIREWALL_TYPES.alias:
        fw.aliases.push(checked<AliasInputs>(r, ["name", "cidr"]));
        break;
      case FIREWALL_TYPES.securityGroup:
        fw.securityGroups.push(checked<SecurityGroupInputs>(r, ["name"]));
        break;
      case FIREWALL_TYPES.container:
        fw.containers.push(r.inputs as unknown as ContainerInputs);
        break;
      case FIREWALL_TYPES.vm:
        fw.vms.push(r.inputs as unknown as VmInputs);
        break;
      case FIREWALL_TYPES.provider:
        fw.hosts.push(...hostsOf(r).filter((h) => !fw.hosts.some((x) => x.name === h.name)));
        break;
    }
  }
  return fw;
}
