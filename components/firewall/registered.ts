/**
 * The firewall of a stack as the program registers it with the Proxmox provider: plain data, no
 * Pulumi types. Field names follow the provider's inputs (`inputPolicy`, `enabled`, `securityGroup`)
 * so a value here can be traced to one input of one registered resource. An absent optional field
 * means the program did not set it; the translator (nftables.ts) applies the provider's defaults,
 * which are what the provider then sends to Proxmox.
 */

/** One rule of a `firewall.RulesLegacy` or `cluster.firewall.security.GroupLegacy` resource. */
export interface RegisteredRule {
  /** `in`, `out` or `forward`; absent on a security group insertion. */
  type?: string;
  /** `ACCEPT`, `DROP` or `REJECT`. */
  action?: string;
  /** Set on a security group insertion (`GROUP name` in Proxmox's files). */
  securityGroup?: string;
  macro?: string;
  /** Address list, range, alias name or `+ipset`. */
  source?: string;
  dest?: string;
  proto?: string;
  /** Port list (`22,80:90`) or, for icmp/icmpv6, an ICMP type name. */
  dport?: string;
  sport?: string;
  /** `net<N>` on a guest, an interface name on a node. */
  iface?: string;
  /** Provider default: true. */
  enabled?: boolean;
  log?: string;
  comment?: string;
}

export interface RegisteredIpSetEntry {
  /** Address, network or alias name. */
  cidr: string;
  nomatch?: boolean;
  comment?: string;
}

export interface RegisteredIpSet {
  name: string;
  entries: RegisteredIpSetEntry[];
  comment?: string;
}

export interface RegisteredAlias {
  name: string;
  cidr: string;
}

export interface RegisteredSecurityGroup {
  name: string;
  rules: RegisteredRule[];
}

/** `cluster.FirewallLegacy` (Datacenter → Firewall → Options). */
export interface RegisteredClusterOptions {
  enabled?: boolean;
  inputPolicy?: string;
  outputPolicy?: string;
  ebtables?: boolean;
}

/** `firewall.OptionsLegacy` of one guest. */
export interface RegisteredGuestOptions {
  enabled?: boolean;
  inputPolicy?: string;
  outputPolicy?: string;
  dhcp?: boolean;
  ndp?: boolean;
  radv?: boolean;
  macfilter?: boolean;
  ipfilter?: boolean;
}

/** One network interface of a guest, `net<index>` in Proxmox. */
export interface RegisteredNic {
  /** `net0`, `net1`, … (the position in the registered list). */
  netId: string;
  /** The interface name inside the guest (`eth0`); for a VM the name the box would give it. */
  name: string;
  /** The NIC's firewall flag; provider default false. */
  firewall?: boolean;
  /** Static addresses with prefix from `initialization.ipConfigs`, when registered. */
  ipv4?: string;
  ipv6?: string;
}

export interface RegisteredGuest {
  /** Stack key, the logical name of the container/VM resource (`database-primary`). */
  key: string;
  kind: "lxc" | "vm";
  vmid: number;
  /** Proxmox node name. */
  node: string;
  hostname?: string;
  nics: RegisteredNic[];
  /** Undefined when no options resource targets the guest (Proxmox default: firewall off). */
  options?: RegisteredGuestOptions;
  rules: RegisteredRule[];
  ipsets: RegisteredIpSet[];
  aliases: RegisteredAlias[];
}

/** `node.FirewallLegacy` / `node.Firewall` of one node (host.fw options). */
export interface RegisteredNodeOptions {
  enabled?: boolean;
  ndp?: boolean;
  nosmurfs?: boolean;
  nftables?: boolean;
}

export interface RegisteredNode {
  name: string;
  /** The node's address from the provider's `ssh.nodes`. */
  address?: string;
  /**
   * Proxmox's `local_network`: the network of the node's address, which Proxmox adds to the
   * `management` IP set. The node's own interface is not a registered resource, so the loader takes
   * the registered guest network that contains the node's address.
   */
  localNetwork?: string;
  options?: RegisteredNodeOptions;
  rules: RegisteredRule[];
}

export interface RegisteredFirewall {
  stack: string;
  /** Undefined when the program registers no cluster options (Proxmox default: firewall off). */
  cluster?: RegisteredClusterOptions;
  /** Cluster-level rules: Proxmox applies them to every node's host firewall. */
  clusterRules: RegisteredRule[];
  /** Cluster-level IP sets (`management`, `blacklist`, …). */
  ipsets: RegisteredIpSet[];
  aliases: RegisteredAlias[];
  securityGroups: RegisteredSecurityGroup[];
  guests: RegisteredGuest[];
  nodes: RegisteredNode[];
}
