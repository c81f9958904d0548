import type { GuestPlan } from "./tier-spec";
import type { SiteConfig } from "./schema";
import { TIERS } from "./tiers";

export type { GuestPlan } from "./tier-spec";
export type { Tier } from "./tiers";

/** Every guest the stack builds, from every tier's spec, in a stable order (by VMID). */
export function guestInventory(site: SiteConfig): GuestPlan[] {
  return TIERS.flatMap((tier) => tier.guests(site)).sort((a, b) => a.vmid - b.vmid);
}
