/**
 * The Proxmox node stand-in: a booted guest with the node's name and address, an SSH server that
 * accepts the box's key (as the program's `proxmoxSshPrivateKey` would be accepted), the `pct` shim,
 * and `/mnt/pve/<storage>` for the node-side storage that bind mount points name (the shared host
 * directory of a storage a files node serves: the stand-in for the node's NFS mount), booted without
 * nspawn's ban on file handles (`NODE_SYSTEM_CALLS`) as a host has none.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bootGuest, type BootedGuest, type BoxContext } from "./guest";
import { PCT_EXCHANGE_IN_NODE, PCT_SHIM, PctBroker } from "./pct";
import { nodeHostIf } from "./instance";
import { run, waitFor } from "./sh";

export interface NodeSpec {
  name: string;
  address: string;
  prefixLength: number;
  dnsServers: string[];
  searchDomain?: string;
  /**
   * Storages whose `/mnt/pve/<id>` a mount point names, with the host directory standing in for the
   * node's NFS mount when a box guest serves the storage (bind-mounted there, a mount point as
   * Proxmox's mount is); without one, the node gets an empty directory of its own.
   */
  storages: { id: string; source?: string }[];
  /** Directories of the node itself backed by a host directory: a files node's exported directory. */
  exports?: { source: string; path: string }[];
}

/**
 * A Proxmox host runs no container seccomp filter, but nspawn denies these to its guests: allowed to
 * the node stand-ins, so NFS-Ganesha's FSAL VFS (`open_by_handle_at`) serves as on the host. nspawn
 * keeps CAP_DAC_READ_SEARCH in its default capabilities, which the call needs.
 */
export const NODE_SYSTEM_CALLS = "open_by_handle_at name_to_handle_at";

export interface BootedNode {
  spec: NodeSpec;
  guest: BootedGuest;
  broker: PctBroker;
}

export async function bootNode(
  ctx: BoxContext,
  spec: NodeSpec,
  index: number,
  publicKeyFile: string,
): Promise<BootedNode> {
  const exchange = join(ctx.runDir, `pct-${spec.name}`);
  mkdirSync(exchange, { recursive: true, mode: 0o700 });
  const guest = await bootGuest(ctx, {
    key: `node-${spec.name}`,
    hostname: spec.name,
    ip: spec.address,
    prefixLength: spec.prefixLength,
    gateway: ctx.gateway,
    dnsServers: spec.dnsServers,
    searchDomain: spec.searchDomain,
    hostIf: nodeHostIf(index),
    binds: [
      { source: exchange, target: PCT_EXCHANGE_IN_NODE },
      ...spec.storages.flatMap((s) => (s.source ? [{ source: s.source, target: `/mnt/pve/${s.id}` }] : [])),
      ...(spec.exports ?? []).map((e) => ({ source: e.source, target: e.path })),
    ],
    allowSystemCalls: NODE_SYSTEM_CALLS,
    files: [
      { path: "/usr/sbin/pct", content: PCT_SHIM, mode: 0o755 },
      { path: "/root/.ssh/authorized_keys", content: readFileSync(publicKeyFile, "utf8"), mode: 0o600 },
      ...spec.storages
        .filter((s) => !s.source)
        .map((s) => ({
          path: `/mnt/pve/${s.id}/.box-storage`,
          content: `node-side storage ${s.id} of the box (Proxmox mounts shared storage here)\n`,
        })),
    ],
  });
  const broker = new PctBroker(exchange, spec.name);
  broker.start();
  ctx.teardown.add(`stop pct broker of ${spec.name}`, async () => broker.stop());
  return { spec, guest, broker };
}

/** The ssh command line that reaches a node from the client namespace, as the program's provider does. */
export function sshArgs(clientNetns: string, keyFile: string, host: string, command: string): string[] {
  return [
    "netns",
    "exec",
    clientNetns,
    "ssh",
    "-i",
    keyFile,
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "ConnectTimeout=15",
    `root@${host}`,
    command,
  ];
}

/** Waits until the node's sshd takes the box's key. */
export async function waitForSsh(clientNetns: string, keyFile: string, host: string): Promise<void> {
  await waitFor(
    `sshd on ${host}`,
    async () =>
      (await run("ip", sshArgs(clientNetns, keyFile, host, "true"), { timeoutMs: 20_000 })).code === 0
        ? true
        : undefined,
    60_000,
    500,
  );
}
