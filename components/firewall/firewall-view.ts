/**
 * The firewall of a stack as the program registers it with the Proxmox provider, arranged the way
 * the translator (nftables.ts) reads it: per guest (NICs with their `firewall` flag, options,
 * rules, IP sets, aliases), per node (options, rules, address), and cluster-wide. Plain data, no
 * Pulumi types. The `*Inputs` types are the firewall tests' (`registered.ts`, the provider's own
 * field names), so each value traces to one input of one registered resource. An absent
 * optional field means the program did not set it; the translator applies the provider's defaults,
 * which are what the provider then sends to Proxmox.
 */
import type {
  AliasInputs,
  ClusterFirewallInputs,
  GuestOptionsInputs,
  IpsetInputs,
  RuleInputs,
  SecurityGroupInputs,
} from "./registered";

export type {
  AliasInputs,
  ClusterFirewallInputs,
  IpsetEntryInputs,
  IpsetInputs,
  RuleInputs,
  SecurityGroupInputs,
} from "./registered";

/**
 * `firewall.OptionsLegacy` of one guest (`<vmid>.fw` [OPTIONS]) without its target, plus the
 * options the box enforces that the firewall tests' evaluator does not read.
 */
export type GuestFirewallOptions = Omit<GuestOptionsInputs, "nodeName" | "vmId" | "containerId"> & {
  dhcp?: boolean;
  ndp?: boolean;
  radv?: boolean;
};

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
  options?: GuestFirewallOptions;
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
