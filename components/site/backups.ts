import type * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { dataVolumes, pruneBackups } from "../../config/backup-capacity";
import type { SiteConfig } from "../../config/schema";
import type { SiteWiring } from "../../config/wiring";
import type { BackupPlanArgs } from "../proxmox/backups";
import type { NodeConnection } from "../proxmox/provisioner";

/** The backup plan from the stack's backups key: one job, and snapshot timers where volumes are left out. */
export function backupPlanArgs(
  site: SiteConfig,
  wiring: SiteWiring,
  provider: proxmoxve.Provider,
  connectionFor: (node: string) => NodeConnection,
): BackupPlanArgs {
  const b = site.backups!;
  const byNode = new Map<string, { vmid: number; path: string }[]>();
  for (const v of dataVolumes(site).filter((x) => !x.backup)) {
    const node = wiring.guests.find((g) => g.key === v.guest)!.node;
    byNode.set(node, [...(byNode.get(node) ?? []), { vmid: v.vmid, path: v.path }]);
  }
  return {
    storage: site.proxmox.storage.backups,
    schedule: b.schedule,
    pruneBackups: pruneBackups(b),
    mode: b.mode,
    mailTo: b.mailTo ?? site.site.adminEmails,
    provider,
    dataSnapshots: [...byNode.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([node, volumes]) => ({
        node,
        connection: connectionFor(node),
        input: { volumes, ...b.dataSnapshots },
      })),
  };
}
