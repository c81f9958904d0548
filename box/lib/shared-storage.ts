/**
 * The box's stand-in for Proxmox's NFS client. On Proxmox every node mounts a registered
 * `proxmoxve.storage.Nfs` at `/mnt/pve/<id>` and bind-mounts `/mnt/pve/<id>/…` into the guests. This
 * kernel has no NFS client, so when the storage's server is a node of the stack (`sharedFiles`), one
 * host directory backs both the serving node's exported directory and every node stand-in's
 * `/mnt/pve/<id>`: the serving node (NFS-Ganesha, for real) and the nodes see the same files, as they
 * would through the mount. Pure: it only decides paths.
 */
import { join } from "node:path";
import type { SimResource } from "../../bench/lib/deploy-sim";

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

/** Where a storage served by a node stand-in lives on the host. */
export interface SharedStorageDir {
  storage: BoxNfsStorage;
  /** The node serving it (its address is the storage's server). */
  node: string;
  /**
   * Host directory of the export: the serving node's own directory at `storage.exportPath` (the
   * files NFS-Ganesha serves) and every node stand-in's `/mnt/pve/<id>`.
   */
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
 * For each storage whose server is a node of the stack (a files node): the host directory behind
 * the node's export and every node's `/mnt/pve/<id>`. A storage served from outside the box (a NAS)
 * is left out: the nodes get an empty local directory.
 */
export function sharedStorageDirs(
  storages: BoxNfsStorage[],
  nodes: readonly { name: string; address: string }[],
  runDir: string,
): SharedStorageDir[] {
  const dirs: SharedStorageDir[] = [];
  for (const storage of storages) {
    const node = nodes.find((n) => n.address === storage.server);
    if (!node) continue;
    dirs.push({
      storage,
      node: node.name,
      exportDir: join(runDir, "node-files", node.name, storage.exportPath),
    });
  }
  return dirs;
}

/**
 * The host path behind a node path (`/mnt/pve/<id>/…`) for a bind mount point: the shared export
 * directory when a node of the box serves that storage, else the node stand-in's own directory.
 */
export function hostPathOfNodePath(nodePath: string, nodeRoot: string, shared: SharedStorageDir[]): string {
  for (const s of shared) {
    const top = `/mnt/pve/${s.storage.id}`;
    if (nodePath === top || nodePath.startsWith(`${top}/`))
      return join(s.exportDir, nodePath.slice(top.length));
  }
  return join(nodeRoot, nodePath);
}
