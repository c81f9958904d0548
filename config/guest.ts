import { z } from "zod";
import { configKey, hostLabel, ipv4, positiveInt, storageId, vmid } from "./primitives";

/** What every LXC guest in a stack file states; tiers extend it with their own keys. */
export const lxcGuestSchema = z
  .object({
    /** Proxmox VMID; never change it after creation (it replaces the guest). */
    vmid,
    /** Guest hostname (a DNS label). */
    hostname: hostLabel,
    /** Static address on the site network. */
    ip: ipv4,
    cores: positiveInt.max(128),
    memoryMb: positiveInt.min(128),
    swapMb: z.number().int().min(0).default(512),
    /** Root disk size in GB. */
    diskGb: positiveInt.default(16),
    /** Storage for the root disk; defaults to proxmox.storage.rootfs. */
    storage: storageId.optional(),
    /** Template key from the site's templates; each tier has a sensible default. */
    template: configKey.optional(),
    /** Proxmox node that runs the guest; defaults to the first node. */
    node: hostLabel.optional(),
    /** Proxmox HA manages the guest (restart/migrate on node failure). */
    ha: z.boolean().default(false),
    /** Start order on boot (lower first); defaults by tier. */
    startupOrder: z.number().int().min(0).max(1000).optional(),
    /** Overrides the tier's default delete/replace protection. */
    protect: z.boolean().optional(),
    /** One of high, medium, low: the seed's priority column; sets CPU units. */
    priority: z.enum(["high", "medium", "low"]).default("medium"),
  })
  .strict();

export type LxcGuestConfig = z.infer<typeof lxcGuestSchema>;

/** A guest schema with extra tier-specific keys. */
export function guestWith<T extends z.ZodRawShape>(extra: T) {
  return lxcGuestSchema.extend(extra).strict();
}
