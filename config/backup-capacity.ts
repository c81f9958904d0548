import type { GuestPlan } from "./inventory";
import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";

/** A storage-backed data volume of a guest, and whether vzdump includes it. */
export interface DataVolume {
  /** Guest key (as in the IP plan). */
  guest: string;
  /** Stack key of the volume, for messages. */
  configPath: string;
  vmid: number;
  storage: string;
  sizeGb: number;
  /** Mount path inside the guest. */
  path: string;
  /** In vzdump archives; false = protected by the node's ZFS snapshots instead. */
  backup: boolean;
}

/** Every data volume the stack mounts into a guest, by guest key. */
export function dataVolumes(site: SiteConfig): DataVolume[] {
  const volumes: DataVolume[] = [];
  for (const [key, nc] of Object.entries(site.nextcloud ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    volumes.push({
      guest: `nextcloud-${key}`,
      configPath: `nextcloud.${key}.data`,
      vmid: nc.vmid,
      storage: nc.data.storage,
      sizeGb: nc.data.sizeGb,
      path: nc.data.path,
      backup: nc.data.backup,
    });
  }
  return volumes;
}

type Backups = NonNullable<SiteConfig["backups"]>;

/** The job's `prune-backups` options: every retention together, zeros left out (Proxmox wants ≥ 1). */
export function pruneBackups(
  b: Pick<Backups, "keepDaily" | "keepWeekly" | "keepMonthly">,
): Record<string, string> {
  const keep: Record<string, string> = {};
  if (b.keepDaily > 0) keep["keep-daily"] = String(b.keepDaily);
  if (b.keepWeekly > 0) keep["keep-weekly"] = String(b.keepWeekly);
  if (b.keepMonthly > 0) keep["keep-monthly"] = String(b.keepMonthly);
  return keep;
}

/**
 * Restore points kept per guest at most, with a job that runs at least daily: each option keeps
 * backups older than the previous option's, so the counts add up.
 */
export function retainedPoints(b: Pick<Backups, "keepDaily" | "keepWeekly" | "keepMonthly">): number {
  return b.keepDaily + b.keepWeekly + b.keepMonthly;
}

export interface BackupCapacity {
  /** GB of disks vzdump reads per run: root disks and data volumes not left out. */
  backedUpDiskGb: number;
  points: number;
  archivePercentOfDisk: number;
  /** Estimated size of one run's archives. */
  oneRunGb: number;
  /** Estimated size of everything the retention keeps. */
  retainedGb: number;
  storage: string;
  storageSizeGb?: number;
  /** retainedGb as a percentage of the storage (undefined without a size). */
  percentOfStorage?: number;
}

/**
 * What the retention will keep on the backup storage, a pure estimate: each guest's disks that
 * vzdump includes × archivePercentOfDisk × retained points. Assumes a directory storage (every
 * archive in full, no deduplication) and archives the stated share of the allocated disks.
 */
export function backupCapacity(site: SiteConfig, guests: readonly GuestPlan[]): BackupCapacity | undefined {
  const b = site.backups;
  if (!b) return undefined;
  const volumesGb = dataVolumes(site)
    .filter((v) => v.backup)
    .reduce((sum, v) => sum + v.sizeGb, 0);
  const backedUpDiskGb = guests.reduce((sum, g) => sum + g.diskGb, 0) + volumesGb;
  const points = retainedPoints(b);
  const oneRunGb = Math.round((backedUpDiskGb * b.archivePercentOfDisk) / 100);
  const retainedGb = oneRunGb * points;
  const percentOfStorage =
    b.storageSizeGb === undefined ? undefined : Math.round((retainedGb / b.storageSizeGb) * 1000) / 10;
  return {
    backedUpDiskGb,
    points,
    archivePercentOfDisk: b.archivePercentOfDisk,
    oneRunGb,
    retainedGb,
    storage: site.proxmox.storage.backups,
    storageSizeGb: b.storageSizeGb,
    percentOfStorage,
  };
}

/**
 * The backup storage against what the retention keeps: an error when one night's archives do not
 * fit, a warning when the retention's estimate passes 85 % of the storage (it is an estimate from
 * allocated sizes, so it warns rather than refuses), a warning when the size is not stated.
 */
export function checkBackupCapacity(
  site: SiteConfig,
  guests: readonly GuestPlan[],
  errors: ConfigProblem[],
  warnings: ConfigProblem[],
): void {
  const cap = backupCapacity(site, guests);
  if (!cap) return;
  if (cap.points === 0) {
    errors.push({
      path: "backups.keepDaily",
      message: "0 with keepWeekly and keepMonthly 0 keeps no backup",
    });
    return;
  }
  const estimate = `${cap.backedUpDiskGb} GB of disks × ${cap.archivePercentOfDisk} % × ${cap.points} points`;
  if (cap.storageSizeGb === undefined) {
    warnings.push({
      path: "backups.storageSizeGb",
      message: `is not set: the retention keeps about ${cap.retainedGb} GB (${estimate}) on storage "${cap.storage}", not checked against its size`,
    });
    return;
  }
  if (cap.oneRunGb > cap.storageSizeGb) {
    errors.push({
      path: "backups.storageSizeGb",
      message: `${cap.storageSizeGb} GB cannot hold one night's archives, about ${cap.oneRunGb} GB (${cap.backedUpDiskGb} GB of disks × ${cap.archivePercentOfDisk} %)`,
    });
  } else if (cap.percentOfStorage! > 85) {
    warnings.push({
      path: "backups.storageSizeGb",
      message: `${cap.storageSizeGb} GB: the retention keeps about ${cap.retainedGb} GB (${estimate}), ${cap.percentOfStorage} % of the storage (over 85 %); lower keepDaily/keepWeekly/keepMonthly, leave large volumes out, or grow the storage`,
    });
  }
}
