/**
 * Allocates VMIDs and addresses for a new client's guests inside its subnet. Pure.
 *
 * Offsets count from the network address: .1 is the gateway, .2 the Proxmox host. Each block of
 * guests has a home range of ten addresses and a VMID base, like the seed stacks (databases and
 * Redis from .10 / VMID 100, web front ends and balancers from .20 / 200, …). A block whose range
 * is full continues at the lowest free address from .100 up, then anywhere free.
 */
import ipaddr from "ipaddr.js";

export type Block = "data" | "front" | "ops" | "nextcloud" | "apps" | "moodle" | "windows";

/** Home address offset and VMID base of each block. */
export const BLOCKS: Readonly<Record<Block, { ipOffset: number; vmidBase: number }>> = {
  data: { ipOffset: 10, vmidBase: 100 },
  front: { ipOffset: 20, vmidBase: 200 },
  ops: { ipOffset: 30, vmidBase: 300 },
  nextcloud: { ipOffset: 40, vmidBase: 400 },
  apps: { ipOffset: 50, vmidBase: 500 },
  moodle: { ipOffset: 60, vmidBase: 600 },
  windows: { ipOffset: 90, vmidBase: 900 },
};

export const GATEWAY_OFFSET = 1;
export const HOST_OFFSET = 2;
const BLOCK_SIZE = 10;
const OVERFLOW_FROM = 100;

export interface AllocationRequest {
  /** Where the result goes, e.g. `moodle.nodes.app1` or `moodle.vip`. */
  id: string;
  block: Block;
  /** A guest needs a VMID; a floating address does not. */
  needsVmid: boolean;
}

export interface Allocated {
  id: string;
  ip: string;
  vmid?: number;
}

export interface SubnetPlan {
  /** Normalised network, e.g. 10.20.0.0/24. */
  cidr: string;
  gateway: string;
  host: string;
  prefix: number;
}

function toInt(ip: ipaddr.IPv4): number {
  return ip.toByteArray().reduce((a, b) => a * 256 + b, 0);
}

function fromInt(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** Parses the subnet; it must be a network address with room for a gateway, a host and guests. */
export function subnetPlan(subnet: string): SubnetPlan {
  const [text] = subnet.split("/");
  if (!ipaddr.IPv4.isValidCIDR(subnet) || !ipaddr.IPv4.isValidFourPartDecimal(text))
    throw new Error(`--subnet ${subnet} is not an IPv4 network such as 10.20.0.0/24`);
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(subnet);
  const network = ipaddr.IPv4.networkAddressFromCIDR(subnet);
  if (toInt(addr) !== toInt(network))
    throw new Error(`--subnet ${subnet} has host bits set; the network is ${network.toString()}/${prefix}`);
  if (prefix > 29) throw new Error(`--subnet ${subnet} is too small: use a /29 or larger`);
  const base = toInt(network);
  return {
    cidr: `${network.toString()}/${prefix}`,
    gateway: fromInt(base + GATEWAY_OFFSET),
    host: fromInt(base + HOST_OFFSET),
    prefix,
  };
}

/**
 * Gives every request a free address (and a VMID when it needs one). Deterministic: the same
 * requests in the same order get the same answer. Throws when the subnet runs out of addresses.
 */
export function allocate(subnet: string, requests: readonly AllocationRequest[]): Allocated[] {
  const plan = subnetPlan(subnet);
  const base = toInt(ipaddr.IPv4.parse(plan.cidr.split("/")[0]));
  const lastUsable = 2 ** (32 - plan.prefix) - 2;
  const taken = new Set<number>([GATEWAY_OFFSET, HOST_OFFSET]);
  const vmids = new Set<number>();
  const free = (o: number) => o > HOST_OFFSET && o <= lastUsable && !taken.has(o);
  const nextOffset = (block: Block, id: string): number => {
    const home = BLOCKS[block].ipOffset;
    for (let o = home; o < home + BLOCK_SIZE; o++) if (free(o)) return o;
    for (let o = OVERFLOW_FROM; o <= lastUsable; o++) if (free(o)) return o;
    for (let o = HOST_OFFSET + 1; o <= lastUsable; o++) if (free(o)) return o;
    throw new Error(`subnet ${plan.cidr} has no free address left for ${id}; use a larger --subnet`);
  };
  return requests.map((r) => {
    const offset = nextOffset(r.block, r.id);
    taken.add(offset);
    const out: Allocated = { id: r.id, ip: fromInt(base + offset) };
    if (r.needsVmid) {
      let vmid = BLOCKS[r.block].vmidBase;
      while (vmids.has(vmid)) vmid++;
      vmids.add(vmid);
      out.vmid = vmid;
    }
    return out;
  });
}
