import type { GuestPlan } from "./inventory";
import type { SiteConfig } from "./schema";

export const CAPACITY_WARN_PERCENT = 85;
export const CAPACITY_ERROR_PERCENT = 100;

export type CapacityStatus = "ok" | "warn" | "error";

export interface ResourceUse {
  allocated: number;
  /** What the node may hand out: physical amount × overcommit ratio. */
  limit: number;
  physical: number;
  percentOfLimit: number;
  status: CapacityStatus;
}

export interface NodeCapacity {
  node: string;
  guests: number;
  vcpus: ResourceUse;
  memoryMb: ResourceUse;
}

function use(allocated: number, physical: number, ratio: number): ResourceUse {
  const limit = physical * ratio;
  const percentOfLimit = limit > 0 ? Math.round((allocated / limit) * 1000) / 10 : Infinity;
  const status: CapacityStatus =
    percentOfLimit > CAPACITY_ERROR_PERCENT
      ? "error"
      : percentOfLimit > CAPACITY_WARN_PERCENT
        ? "warn"
        : "ok";
  return { allocated, limit, physical, percentOfLimit, status };
}

/** vCPU and memory allocation per Proxmox node against its hardware and overcommit policy. */
export function capacityByNode(site: SiteConfig, guests: readonly GuestPlan[]): NodeCapacity[] {
  return site.proxmox.nodes.map((node) => {
    const mine = guests.filter((g) => g.node === node.name);
    const usableMemoryMb = Math.max(0, (node.memoryGb - node.reservedMemoryGb) * 1024);
    return {
      node: node.name,
      guests: mine.length,
      vcpus: use(
        mine.reduce((sum, g) => sum + g.cores, 0),
        node.cpuThreads,
        site.proxmox.cpuOvercommitRatio,
      ),
      memoryMb: use(
        mine.reduce((sum, g) => sum + g.memoryMb, 0),
        usableMemoryMb,
        site.proxmox.memoryOvercommitRatio,
      ),
    };
  });
}
