/**
 * NFS export of the shared Moodle dataroot. Its clients are the Proxmox nodes, which mount it as a
 * cluster storage and bind-mount it into the app nodes (an unprivileged container cannot mount NFS).
 * Pure.
 */
import { isIpv4, Problems } from "../moodle/layout";

export interface NfsExportInput {
  /** Directory exported by the NFS server guest. Default `/srv/moodledata`. */
  exportPath?: string;
  /** Directory inside the export that is the dataroot. Default `moodledata`. */
  directory?: string;
  /** Addresses of the Proxmox nodes: the only clients allowed. */
  clients: readonly string[];
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

/**
 * `/etc/exports.d/moodle.exports`. `rw,sync` (a write is on disk before the node is told so: several app
 * nodes write the same files), `no_subtree_check`, and `root_squash`: the app nodes write as their
 * www-data (uid 100033 as the nodes see it), so root on a node has no business owning files there.
 */
export function renderNfsExports(input: NfsExportInput): string {
  checkNfsExport(input);
  const path = input.exportPath ?? defaultExportPath;
  const clients = [...new Set(input.clients)].sort().map((c) => `${c}(rw,sync,no_subtree_check,root_squash)`);
  return `# Shared Moodle dataroot, only for the Proxmox nodes. Rendered by proxmox-sites.\n${path} ${clients.join(" ")}\n`;
}
