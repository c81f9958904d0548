/**
 * NFS for the shared Moodle dataroot: the server's export, restricted to the app nodes, and the clients'
 * fstab line. Pure.
 */
import { isHostName, isIpv4, MoodleLayout, Problems, resolveLayout } from "./layout";

export interface NfsExportInput {
  /** Directory exported by the NFS server guest. Default `/srv/moodledata`. */
  exportPath?: string;
  /** Addresses of the app nodes: the only clients allowed. */
  clients: readonly string[];
}

export const defaultExportPath = "/srv/moodledata";

function checkPath(p: Problems, key: string, path: string): void {
  p.check(
    /^\/[A-Za-z0-9._/-]+$/.test(path) && !path.endsWith("/"),
    key,
    path,
    "an absolute path without a trailing slash",
  );
}

/**
 * `/etc/exports.d/moodle.exports`. `rw,sync` (a write is on disk before the node is told so: several nodes
 * write the same files), `no_subtree_check`, and `root_squash`: the nodes write as www-data (uid 33 on every
 * Debian guest), so root on an app node has no business owning files in the dataroot; a compromised node's
 * root then cannot plant root-owned files there.
 */
export function renderNfsExports(input: NfsExportInput): string {
  const path = input.exportPath ?? defaultExportPath;
  const p = new Problems("moodle.nfs");
  checkPath(p, "exportPath", path);
  p.check(input.clients.length > 0, "clients", input.clients, "at least one app node");
  for (const client of input.clients) p.check(isIpv4(client), "clients", client, "an IPv4 address");
  p.throwIfAny();
  const clients = [...new Set(input.clients)].sort().map((c) => `${c}(rw,sync,no_subtree_check,root_squash)`);
  return `# Shared Moodle dataroot, only for the app nodes. Rendered by proxmox-sites.\n${path} ${clients.join(" ")}\n`;
}

export interface NfsMountInput {
  /** Address or host name of the NFS server guest. */
  server: string;
  /** Exported directory. Default `/srv/moodledata`. */
  exportPath?: string;
  layout?: Partial<MoodleLayout>;
}

/**
 * The app node's fstab line: NFS 4.2 over TCP, `hard` (a server hiccup stalls I/O instead of corrupting a
 * half-written file; the health page then times out and the balancer drains the node), `_netdev` and
 * `nofail` (the node boots without it; the health page keeps it out of the pool until mounted).
 */
export function renderNfsFstabLine(input: NfsMountInput): string {
  const layout = resolveLayout(input.layout);
  const path = input.exportPath ?? defaultExportPath;
  const p = new Problems("moodle.nfs");
  checkPath(p, "exportPath", path);
  p.check(
    isIpv4(input.server) || isHostName(input.server),
    "server",
    input.server,
    "an address or host name",
  );
  p.throwIfAny();
  return `${input.server}:${path} ${layout.dataRoot} nfs rw,hard,nfsvers=4.2,proto=tcp,timeo=600,retrans=2,noatime,_netdev,nofail 0 0`;
}
