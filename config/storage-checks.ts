import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";

/** A place in the stack that names a Proxmox storage. */
export interface StorageReference {
  /** Dotted key path, e.g. nextcloud.bowbo.data.storage. */
  path: string;
  storage: string;
}

/** The storages the stack declares: the four roles of proxmox.storage and its `additional` list. */
export function declaredStorages(site: SiteConfig): string[] {
  const { additional, ...roles } = site.proxmox.storage;
  return [...new Set([...Object.values(roles), ...additional])];
}

/** `<storage>:iso/<file>` (a Proxmox volume id) → the storage. */
const VOLUME_ID = /^([^:]+):/;

/**
 * Every place outside proxmox.storage that names a storage: any key `storage` or ending in `Storage`,
 * and the storage part of ISO volume ids (keys ending in `Iso`). Found by walking the whole stack, so a
 * tier that adds such a key is checked without changes here.
 */
export function storageReferences(site: SiteConfig): StorageReference[] {
  const found: StorageReference[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, [...path, String(i)]));
    if (value === null || typeof value !== "object") return;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const here = [...path, key];
      if (here.join(".") === "proxmox.storage") continue;
      if (typeof v === "string" && (key === "storage" || key.endsWith("Storage")))
        found.push({ path: here.join("."), storage: v });
      else if (typeof v === "string" && key.endsWith("Iso") && VOLUME_ID.test(v))
        found.push({ path: here.join("."), storage: VOLUME_ID.exec(v)![1] });
      else walk(v, here);
    }
  };
  walk(site, []);
  return found;
}

/** Each storage a guest, a volume, an ISO or a backup names must be one the stack declares. */
export function checkStorages(site: SiteConfig): ConfigProblem[] {
  const declared = declaredStorages(site);
  return storageReferences(site)
    .filter((ref) => !declared.includes(ref.storage))
    .map((ref) => ({
      path: ref.path,
      message: `"${ref.storage}" is not a storage of this stack (${declared.join(", ")}): add it to proxmox.storage.additional`,
    }));
}
