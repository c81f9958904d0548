import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";

/**
 * The shared moodledata comes from one NFS storage of the cluster: served by the sharedFiles guest, or by
 * an external NAS named in sharedStorage (server and export), never both.
 */
export function checkMoodleSharedStorage(site: SiteConfig, errors: ConfigProblem[]): void {
  const m = site.moodle;
  if (!m) return;
  const s = m.sharedStorage;
  if (m.sharedFiles) {
    if (s.server)
      errors.push({
        path: "moodle.sharedStorage.server",
        message: `${s.server} names an external NFS server, but moodle.sharedFiles builds one: keep one of them`,
      });
  } else {
    for (const key of ["server", "export"] as const) {
      if (!s[key])
        errors.push({
          path: `moodle.sharedStorage.${key}`,
          message:
            "is required without moodle.sharedFiles (the external NFS server of the shared moodledata)",
        });
    }
  }
  for (const [i, storage] of Object.entries(site.proxmox.storage)) {
    if (storage === s.id)
      errors.push({
        path: "moodle.sharedStorage.id",
        message: `"${s.id}" is already proxmox.storage.${i}; the shared moodledata needs a storage of its own`,
      });
  }
}
