/**
 * The step on each Proxmox node between registering the cluster's NFS storage and creating the app
 * nodes: the storage is mounted at /mnt/pve/<id>, and the dataroot directory inside it exists, belongs
 * to the app nodes' www-data as the host sees it (100033) and carries the marker file. A bind mount
 * whose source is missing stops the container from starting, so this runs before the guests exist.
 * Pure: renders the script.
 */
import { renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { sharedMarkerFile } from "../moodle/layout";
import { nodeStoragePath, sharedOwnerId } from "../moodle/shared-storage";
import { rootStep } from "./shell";

export interface StorageNodeScriptInput {
  /** Proxmox storage id of the NFS storage. */
  storageId: string;
  /** Directory inside it that is the dataroot. */
  directory: string;
  /** How long to wait for Proxmox to mount the storage, in seconds. Default 60. */
  waitSeconds?: number;
}

/** The node's script; no secrets. */
export function renderStorageNodeScript(input: StorageNodeScriptInput): string {
  if (!/^[a-zA-Z][a-zA-Z0-9_.-]*$/.test(input.storageId))
    throw new Error(`moodle.sharedStorage.id: ${JSON.stringify(input.storageId)} is not a storage id`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(input.directory))
    throw new Error(`moodle.sharedStorage.directory: ${JSON.stringify(input.directory)} is not a name`);
  const tries = Math.max(1, Math.ceil((input.waitSeconds ?? 60) / 2));
  const mnt = nodeStoragePath(input.storageId);
  const id = sharedOwnerId;
  const storage = shellQuote(input.storageId);
  return renderScript({
    summary: `Proxmox node: storage ${input.storageId} mounted, dataroot ${mnt}/${input.directory} ready`,
    setup: [
      rootStep,
      `mnt="$root"${shellQuote(mnt)}`,
      "# Proxmox mounts a network storage when it is activated; `pvesm status` activates it on this node.",
      "tries=0",
      'until mountpoint -q "$mnt"; do',
      "  tries=$((tries + 1))",
      `  if [ "$tries" -gt ${tries} ]; then`,
      `    echo "error: storage "${storage}" is not mounted at ${mnt} on $(hostname): check 'pvesm status' and the NFS server's export" >&2`,
      "    exit 1",
      "  fi",
      `  pvesm status --storage ${storage} >/dev/null 2>&1 || true`,
      '  mountpoint -q "$mnt" || sleep 2',
      "done",
      `data="$mnt"/${shellQuote(input.directory)}`,
      'if [ ! -d "$data" ]; then',
      "  # The files node makes it; a NAS that exports without root_squash lets the node make it here.",
      `  if ! install -d -m 2770 -o ${id} -g ${id} "$data" 2>/dev/null; then`,
      `    echo "error: $data is missing and this node may not create it (root_squash): create it on the NFS server, owner ${id}:${id}, mode 2770" >&2`,
      "    exit 1",
      "  fi",
      "fi",
      'owner="$(stat -c \'%u:%g\' "$data")"',
      `if [ "$owner" != ${id}:${id} ]; then`,
      `  echo "error: $data belongs to $owner, not ${id}:${id} (www-data of the unprivileged app nodes)" >&2`,
      "  exit 1",
      "fi",
      `marker="$data"/${sharedMarkerFile}`,
      'if [ ! -e "$marker" ]; then',
      "  # Written as the owner: root is squashed on the export.",
      "  echo 'Shared Moodle dataroot (proxmox-sites). Do not delete: app nodes check for it.' |",
      `    setpriv --reuid=${id} --regid=${id} --clear-groups tee "$marker" >/dev/null`,
      "fi",
    ].join("\n"),
  });
}
