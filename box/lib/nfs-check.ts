/**
 * Box check of the files node's real NFS server (NFS-Ganesha): the nodes' NFS client is a stand-in
 * (a shared directory, `shared-storage.ts`), so this check speaks NFS itself, with libnfs's userspace
 * tools (this kernel has no NFS client): another Proxmox node stand-in writes a file over NFSv4 and
 * reads it through its `/mnt/pve/<id>`, and a guest that is not a listed client is refused.
 */
import { randomBytes } from "node:crypto";
import type { RunningBox } from "./box";
import type { BoxNfsStorage } from "./shared-storage";
import { inGuest, type BootedGuest } from "./guest";

/** A failed expectation: its message is the evidence. */
export class NfsCheckFailed extends Error {}

function expectThat(ok: boolean, message: string): void {
  if (!ok) throw new NfsCheckFailed(message);
}

/** libnfs's tools, from Debian through the box's apt path (the node stand-in does not have them). */
async function ensureLibnfs(g: BootedGuest): Promise<void> {
  if ((await inGuest(g, ["sh", "-c", "command -v nfs-cp"])).code === 0) return;
  const r = await inGuest(
    g,
    ["apt-get", "install", "-y", "-q", "--no-install-recommends", "libnfs-utils"],
    undefined,
    300_000,
  );
  expectThat(
    r.code === 0,
    `${g.spec.hostname}: apt-get install libnfs-utils failed: ${r.stderr.slice(-500)}`,
  );
}

/** The storage served by a node stand-in (a files node), and that node's name. */
function servedStorage(box: RunningBox): { storage: BoxNfsStorage; serverName: string } {
  for (const storage of box.plan.nfsStorages) {
    const server = [...box.nodes.values()].find((n) => n.spec.address === storage.server);
    if (server) return { storage, serverName: server.spec.name };
  }
  throw new NfsCheckFailed("no registered NFS storage is served by a node of the box");
}

export async function nfsServesTheNodesOnly(box: RunningBox): Promise<string> {
  const { storage, serverName } = servedStorage(box);
  // Another node: its traffic crosses the switch to the files node, as a real mount's would.
  const node = [...box.nodes.values()].find(
    (n) => n.spec.name !== serverName && (storage.nodes.length === 0 || storage.nodes.includes(n.spec.name)),
  );
  expectThat(node !== undefined, `no node stand-in has storage ${storage.id}`);
  const nodeAddresses = new Set([...box.nodes.values()].map((n) => n.spec.address));
  // A guest that is not a listed client: prefer one that bind-mounts the storage (an app node).
  const others = box.plan.guests.filter(
    (g) => g.ip !== storage.server && !nodeAddresses.has(g.ip) && box.guests.has(g.vmid),
  );
  const outsider =
    others.find((g) => g.mountPoints.some((m) => m.volume.startsWith(`/mnt/pve/${storage.id}/`))) ??
    others[0];
  expectThat(outsider !== undefined, "no running guest besides the NFS server to try a refused client from");
  const refusedGuest = box.guests.get(outsider!.vmid)!;
  await ensureLibnfs(node!.guest);
  await ensureLibnfs(refusedGuest);

  const name = `box-nfs-${randomBytes(4).toString("hex")}`;
  const content = `written over NFSv4 by ${node!.spec.name}\n`;
  const url = (path: string) => `nfs://${storage.server}${path}?version=4`;
  const nodePath = `/mnt/pve/${storage.id}/${name}`;
  const write = await inGuest(
    node!.guest,
    [
      "sh",
      "-c",
      'printf %s "$1" >"/tmp/$2" && timeout 30 nfs-cp "/tmp/$2" "$3"; s=$?; rm -f "/tmp/$2"; exit $s',
      "sh",
      content,
      name,
      url(`${storage.exportPath}/${name}`),
    ],
    undefined,
    60_000,
  );
  expectThat(
    write.code === 0,
    `${node!.spec.name}: nfs-cp to ${serverName} failed: ${write.stdout}${write.stderr}`,
  );
  const read = await inGuest(node!.guest, ["cat", nodePath]);
  const over = await inGuest(node!.guest, ["timeout", "30", "nfs-cat", url(`${storage.exportPath}/${name}`)]);
  await inGuest(node!.guest, ["rm", "-f", nodePath]);
  expectThat(
    read.code === 0 && read.stdout === content,
    `${node!.spec.name}: ${nodePath} does not hold what NFS wrote: ${read.stdout}${read.stderr}`,
  );
  expectThat(over.stdout === content, `${node!.spec.name}: nfs-cat read back ${over.stdout}${over.stderr}`);

  const refused = await inGuest(
    refusedGuest,
    ["timeout", "30", "nfs-ls", url(storage.exportPath)],
    undefined,
    60_000,
  );
  expectThat(
    refused.code !== 0,
    `${outsider!.hostname} (${outsider!.ip}) is not a listed client but listed the export: ${refused.stdout}`,
  );
  const why = `${refused.stdout}${refused.stderr}`.trim().split("\n").pop() ?? `exit ${refused.code}`;
  return `${node!.spec.name} wrote ${name} over NFSv4 to ${serverName}:${storage.exportPath} and read it at ${nodePath}; ${outsider!.hostname} was refused (${why})`;
}
