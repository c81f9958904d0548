/**
 * NFS export of the cluster's shared files (NFS-Ganesha, in userspace, on one Proxmox node). Its clients
 * are the Proxmox nodes, which mount it as a cluster storage and bind-mount it into the app nodes (an unprivileged
 * container cannot mount NFS). Pure.
 */
import { isIpv4, Problems } from "../moodle/layout";
import type { SharedStoragePlan } from "../moodle/shared-storage";

export interface NfsExportInput {
  /** Directory exported by the serving node. Default `/srv/moodledata`. */
  exportPath?: string;
  /** Directory inside the export that is the dataroot. Default `moodledata`. */
  directory?: string;
  /** Addresses of the Proxmox nodes: the only clients allowed. */
  clients: readonly string[];
}

/** The Proxmox node that serves a cluster's shared files, and its export. */
export interface NfsServerPlan {
  /** Name of the node (one of proxmox.nodes). */
  node: string;
  input: NfsExportInput;
}

/** The export of the sharedFiles node, when a node of the cluster serves the storage (not a NAS). */
export function nfsServerPlan(shared: SharedStoragePlan): NfsServerPlan | undefined {
  if (!shared.filesNode) return undefined;
  return {
    node: shared.filesNode,
    input: { exportPath: shared.exportPath, directory: shared.directory, clients: shared.clients },
  };
}

export const defaultExportPath = "/srv/moodledata";
export const defaultSharedDirectory = "moodledata";

/** Checks an export input; throws every problem at once. */
export function checkNfsExport(input: NfsExportInput): void {
  const path = input.exportPath ?? defaultExportPath;
  const directory = input.directory ?? defaultSharedDirectory;
  const p = new Problems("moodle.nfs");
  p.check(
    /^\/[A-Za-z0-9._/-]+$/.test(path) && !path.endsWith("/"),
    "exportPath",
    path,
    "an absolute path without a trailing slash",
  );
  p.check(/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(directory), "directory", directory, "one directory name");
  p.check(input.clients.length > 0, "clients", input.clients, "at least one Proxmox node");
  for (const client of input.clients) p.check(isIpv4(client), "clients", client, "an IPv4 address");
  p.throwIfAny();
}

/** Where Debian's `nfs-ganesha` unit reads its configuration (`/etc/default/nfs-ganesha`). */
export const ganeshaConfigPath = "/etc/ganesha/ganesha.conf";

/**
 * NFS-Ganesha's configuration: one export, NFSv4 over TCP only, served by FSAL VFS on the files node.
 * Userspace rather than the kernel server: it was chosen when the server was a container (where
 * neither works, see docs/field-notes.md) and keeps the node's kernel free of nfsd and its exports.
 *
 * - Only the Proxmox nodes see the export (everyone else gets no access and does not even find the
 *   path in the pseudo file system); they mount it as root (`pvesm` activates the storage), so root is
 *   not squashed for them. The app nodes never speak NFS: Proxmox bind-mounts the nodes' mount.
 * - `Only_Numeric_Owners`: owners travel as numbers (100033), as the kernel client sends them with
 *   `sec=sys`, so no idmap domain has to match between the nodes.
 * - The grace period stays on: after a restart the nodes reclaim their locks (Ganesha lifts it at
 *   once when no client has state to reclaim).
 */
export function renderGaneshaConfig(input: NfsExportInput): string {
  checkNfsExport(input);
  const path = input.exportPath ?? defaultExportPath;
  const clients = [...new Set(input.clients)].sort().join(", ");
  return `# Shared files of the cluster, only for the Proxmox nodes. Rendered by proxmox-sites.
NFS_CORE_PARAM {
	# NFSv4 only: Proxmox mounts the storage with vers=4.x and needs nothing but TCP 2049.
	Protocols = 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
}

NFSV4 {
	Only_Numeric_Owners = true;
}

# AUTH_SYS only: no Kerberos principal to look for.
NFS_KRB5 {
	Active_krb5 = false;
}

EXPORT_DEFAULTS {
	Protocols = 4;
	Access_Type = None;
	Squash = Root_Squash;
}

EXPORT {
	Export_Id = 1;
	Path = "${path}";
	Pseudo = "${path}";
	Protocols = 4;
	Transports = TCP;
	SecType = sys;
	Access_Type = None;
	Squash = Root_Squash;
	CLIENT {
		Clients = ${clients};
		Protocols = 4;
		Access_Type = RW;
		Squash = No_Root_Squash;
	}
	FSAL {
		Name = VFS;
	}
}
`;
}
