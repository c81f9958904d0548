/**
 * The firewall of a stack as the program registers it with the Proxmox provider, arranged the way
 * the translator (nftables.ts) reads it: per guest (NICs with their `firewall` flag, options,
 * rules, IP sets, aliases), per node (options, rules, address), and cluster-wide. Plain data, no
 * Pulumi types. The `*Inputs` types carry the provider's own field names, as the firewall tests'
 * `registered.ts` does, so each value traces to one input of one registered resource. An absent
 * optional field means the program did not set it; the translator applies the provider's defaults,
 * which are what the provider then sends to Proxmox.
 */

/** One rule of `firewall.RulesLegacy` or of a security group; `securityGroup` set = insert that group. */
export interface RuleInputs {
  /** `in`, `out` or `forward`; absent on a security group insertion. */
  type?: string;
  /** `ACCEPT`, `DROP` or `REJECT`. */
  action?: string;
  macro?: string;
  proto?: string;
  /** Port list (`22,80:90`) or, for icmp/icmpv6, an ICMP type name. */
  dport?: string;
  sport?: string;
  /** Address list, range, alias name or `+ipset`. */
  source?: string;
  dest?: string;
  /** `net<N>` on a guest, an interface name on a node. */
  iface?: string;
  /** Provider default: true. */
  enabled?: boolean;
  securityGroup?: string;
  comment?: string;
  pos?: number;
  log?: string;
}

export interface IpsetEntryInputs {
  /** An address, a network or an alias name. */
  name: string;
  comment?: string;
  /** Excluded from the set. */
  nomatch?: boolean;
}

/** `[IPSET name]`: referenced as `+name` in a rule's source or dest. */
export interface IpsetInputs {
  name?: string;
  comment?: string;
  cidrs?: IpsetEntryInputs[];
}

/** `[ALIASES]`: a name for one address or network. */
export interface AliasInputs {
  name?: string;
  cidr: string;
  comment?: string;
}

/** `[group name]` in cluster.fw. */
export interface SecurityGroupInputs {
  name?: string;
  comment?: string;
  rules?: RuleInputs[];
}

/** `cluster.FirewallLegacy` (cluster.fw [OPTIONS]). */
export interface ClusterFirewallInputs {
  enabled?: boolean;
  inputPolicy?: string;
  outputPolicy?: string;
  forwardPolicy?: string;
  ebtables?: boolean;
}

/** `firewall.OptionsLegacy` of one guest (`<vmid>.fw` [OPTIONS]). */
export interface GuestOptionsInputs {
  enabled?: boolean;
  inputPolicy?: string;
  outputPolicy?: string;
  ipfilter?: boolean;
  macfilter?: boolean;
  dhcp?: boolean;
  ndp?: boolean;
  radv?: boolean;
}

/** `node.FirewallLegacy` / `node.Firewall` of one node (host.fw [OPTIONS]). */
export interface HostFirewallInputs {
  enabled?: boolean;
  ndp?: boolean;
  nosmurfs?: boolean;
  nftables?: boolean;
}

/** One NIC of a guest as Proxmox names it (`net0`…) with its firewall flag and addresses. */
export interface GuestNic {
  /** `net0`, `net1`, … (the position in the registered list). */
  iface: string;
  /** The interface inside the guest (`eth0`); for a VM the name a Debian guest would give it. */
  device: string;
  /** The NIC's `firewall` flag (provider default false) and not disabled. */
  firewall: boolean;
  /** Static addresses from `initialization.ipConfigs`, without prefix. */
  addresses: string[];
}

/** A guest as the firewall sees it. */
export interface GuestView {
  /** Stack key: the logical name of the container/VM resource (`database-primary`). */
  key: string;
  vmid: number;
  kind: "ct" | "vm";
  /** Proxmox node name. */
  node: string;
  /** Hostname (container) or VM name. */
  name: string;
  nics: GuestNic[];
  /** Undefined when no options resource targets the guest (Proxmox default: firewall off). */
  options?: GuestOptionsInputs;
  rules: RuleInputs[];
  ipsets: IpsetInputs[];
  aliases: AliasInputs[];
}

/** A Proxmox node (host firewall). */
export interface HostView {
  name: string;
  /** The node's address from the provider's `ssh.nodes`. */
  address?: string;
  /**
   * Proxmox's `local_network`: the network of the node's address, which Proxmox adds to the
   * `management` IP set. The node's own interface is not a registered resource, so the loader takes
   * the registered guest network that contains the node's address.
   */
  localNetwork?: string;
  options?: HostFirewallInputs;
  rules: RuleInputs[];
}

/** A stack's whole registered firewall. */
export interface FirewallView {
  stack: string;
  /** Undefined when the program registers no cluster options (Proxmox default: firewall off). */
  cluster?: ClusterFirewallInputs;
  /** Cluster-level rules: Proxmox applies them to every node's host firewall. */
  clusterRules: RuleInputs[];
  /** Cluster-level IP sets (`management`, `blacklist`, …). */
  ipsets: IpsetInputs[];
  aliases: AliasInputs[];
  securityGroups: SecurityGroupInputs[];
  guests: GuestView[];
  hosts: HostView[];
}
