/**
 * The box's stand-in for Proxmox's NFS client. On Proxmox every node mounts a registered
 * `proxmoxve.storage.Nfs` at `/mnt/pve/<id>` and bind-mounts `/mnt/pve/<id>/…` into the guests. This
 * kernel has no NFS client (nor server), so when the storage's server is a box guest, one host
 * directory backs both that guest's volume holding the export and every node stand-in's
 * `/mnt/pve/<id>`: the server guest (NFS-Ganesha, for real) and the nodes see the same files, as
 * they would through the mount. Pure, apart from nothing: it only decides paths.
 */
import { join, relative } from "node:path";
import type { SimResource } from "../../bench/lib/deploy-sim";
import type { BoxGuest } from "./collect";

export const NFS_STORAGE_TYPE = "proxmoxve:storage/nfs:Nfs";

/** A registered NFS storage of the cluster. */
export interface BoxNfsStorage {
  /** Proxmox storage id (`/mnt/pve/<id>` on the nodes). */
  id: string;
  server: string;
  exportPath: string;
  /** Nodes the storage is available on (empty: all). */
  nodes: string[];
}

/** Where a storage served by a box guest lives on the host. */
export interface SharedStorageDir {
  storage: BoxNfsStorage;
  /** The guest serving it and the index of its mount point that holds the export. */
  vmid: number;
  mountPointIndex: number;
  /** Host directory of that mount point (the guest's volume). */
  volumeDir: string;
  /** Host directory of the export (inside `volumeDir`): every node's `/mnt/pve/<id>`. */
  exportDir: string;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** The registered NFS storages, from the mock run's registrations (inputs in clear). */
export function nfsStoragesFrom(resources: SimResource[]): BoxNfsStorage[] {
  return resources
    .filter((r) => r.type === NFS_STORAGE_TYPE)
    .map((r) => {
      const i = r.clearInputs ?? {};
      const nodes = Array.isArray(i.nodes) ? i.nodes.map(str) : [];
      return { id: str(i.resourceId), server: str(i.server), exportPath: str(i.export), nodes };
    });
}

/** A storage-backed volume's host directory (a fresh directory of that guest alone). */
export function volumeDirOf(runDir: string, vmid: number, index: number): string {
  return join(runDir, "volumes", `${vmid}-mp${index}`);
}

/**
 * For each storage whose server is a box guest: the guest's storage-backed mount point that holds
 * the export (the deepest one at or above the export path) and the host directories. A storage
 * served from outside the box (a NAS) is left out: the nodes get an empty local directory. Throws
 * when a box guest serves a storage whose export is on none of its volumes (its root disk would not
 * be shared with the nodes in the box).
 */
export function sharedStorageDirs(
  storages: BoxNfsStorage[],
  guests: BoxGuest[],
  runDir: string,
): SharedStorageDir[] {
  const dirs: SharedStorageDir[] = [];
  for (const storage of storages) {
    const guest = guests.find((g) => g.ip === storage.server);
    if (!guest) continue;
    const candidates = guest.mountPoints
      .map((m, index) => ({ m, index, rel: relative(m.path, storage.exportPath) }))
      .filter(({ m, rel }) => !m.volume.startsWith("/") && !rel.startsWith("..") && !rel.startsWith("/"))
      .sort((a, b) => b.m.path.length - a.m.path.length);
    const found = candidates[0];
    if (!found) {
      throw new Error(
        `storage ${storage.id}: its server ${guest.hostname} (${storage.server}) has no volume holding ${storage.exportPath}; the box shares a volume, not a root disk`,
      );
    }
    const volumeDir = volumeDirOf(runDir, guest.vmid, found.index);
    dirs.push({
      storage,
      vmid: guest.vmid,
      mountPointIndex: found.index,
      volumeDir,
      exportDir: join(volumeDir, found.rel),
    });
  }
  return dirs;
}

/**
 * The host path behind a node path (`/mnt/pve/<id>/…`) for a bind mount point: the shared export
 * directory when a box guest serves that storage, else the node stand-in's own directory.
 */
export function hostPathOfNodePath(nodePath: string, nodeRoot: string, shared: SharedStorageDir[]): string {
  for (const s of shared) {
    const top = `/mnt/pve/${s.storage.id}`;
    if (nodePath === top || nodePath.startsWith(`${top}/`))
      return join(s.exportDir, nodePath.slice(top.length));
  }
  return join(nodeRoot, nodePath);
}
