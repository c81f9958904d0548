/**
 * Where the app nodes' shared dataroot comes from: an NFS storage of the Proxmox cluster, mounted by
 * every node at /mnt/pve/<id>, and passed into each (unprivileged) app node as a bind mount point. The
 * kernel refuses NFS mounts inside a user namespace, so the guests never mount NFS themselves. Pure.
 */
import type { MoodleConfig } from "./cluster-plan";

/** Proxmox maps uid/gid N of an unprivileged container to 100000 + N on the host. */
export const unprivilegedIdOffset = 100000;
/** www-data on Debian and Ubuntu, the user php-fpm writes the dataroot as. */
export const wwwDataId = 33;
/**
 * Owner of the shared directory on the NFS server and the nodes: the app nodes' www-data as the host
 * sees it (no idmap on the mount point: it works on every PVE 8, where per-mount idmap needs 9.2+).
 */
export const sharedOwnerId = unprivilegedIdOffset + wwwDataId;

/** Where Proxmox mounts a network storage on each node. */
export function nodeStoragePath(storageId: string): string {
  return `/mnt/pve/${storageId}`;
}

export interface SharedStoragePlan {
  /** Proxmox storage id (moodle-shared). */
  storageId: string;
  /** NFS server address: the sharedFiles node or an external NAS. */
  server: string;
  /** Exported path on the server. */
  exportPath: string;
  /** Mount options of the nodes (vers=4.2). */
  options: string;
  /** Directory inside the export that is the dataroot (moodledata). */
  directory: string;
  /** That directory on every node: the source of the app nodes' bind mount. */
  hostPath: string;
  /** Cluster nodes the storage is registered on (all of them: HA may move an app node anywhere). */
  nodes: string[];
  /** The nodes' addresses: the only NFS clients (the guests never mount NFS). */
  clients: string[];
  /** The Proxmox node that serves it (sharedFiles), else undefined: an external NAS the operator prepares. */
  filesNode?: string;
}

export interface SharedStorageInput {
  /** The cluster's section: Moodle's, or a web cluster's with its storage id resolved. */
  moodle: Pick<MoodleConfig, "sharedStorage" | "sharedFiles">;
  proxmoxNodes: readonly { name: string; address: string }[];
}

/** Resolves the stack's sharedStorage/sharedFiles into the storage every node mounts. */
export function planSharedStorage(input: SharedStorageInput): SharedStoragePlan {
  const s = input.moodle.sharedStorage;
  const files = input.moodle.sharedFiles;
  const filesNode = files ? input.proxmoxNodes.find((n) => n.name === files.node) : undefined;
  if (files && !filesNode) throw new Error(`sharedFiles.node: "${files.node}" is not one of proxmox.nodes`);
  const server = s.server ?? filesNode?.address;
  const exportPath = s.export ?? files?.path;
  if (!server || !exportPath)
    throw new Error("moodle.sharedStorage: needs server and export when there is no sharedFiles node");
  return {
    storageId: s.id,
    server,
    exportPath,
    options: s.options,
    directory: s.directory,
    hostPath: `${nodeStoragePath(s.id)}/${s.directory}`,
    nodes: input.proxmoxNodes.map((n) => n.name),
    clients: input.proxmoxNodes.map((n) => n.address),
    filesNode: s.server === undefined ? filesNode?.name : undefined,
  };
}
