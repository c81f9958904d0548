/**
 * Provisioning step of a Moodle app node that checks the shared dataroot: Proxmox bind-mounts it from
 * the cluster's NFS storage (mount point of the container, fixed at creation), so the guest mounts
 * nothing; it only refuses to go on (installer, cron) when the dataroot is not that mount or lacks the
 * marker the NFS side wrote, so Moodle never writes its data onto the node's own disk. Pure.
 */
import { renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { sharedMarkerFile } from "../moodle/layout";
import { rootStep } from "./shell";

export interface AppMountScriptInput {
  /** Where the app node sees the shared files (Moodle's resolved `dataRoot`, a web cluster's `sharedPath`). */
  dataRoot: string;
}

/** An app node's dataroot check. Needs no secret. */
export function renderAppMountScript(input: AppMountScriptInput): string {
  const marker = sharedMarkerFile;
  return renderScript({
    summary: `Moodle app node: shared dataroot ${input.dataRoot} (bind mount from the Proxmox node)`,
    setup: [
      rootStep,
      `data="$root"${shellQuote(input.dataRoot)}`,
      'if ! mountpoint -q "$data"; then',
      '  echo "error: $data is not a mount point: the container has no bind mount of the shared dataroot" >&2',
      "  exit 1",
      "fi",
      `if [ ! -e "$data/${marker}" ]; then`,
      `  echo "error: $data has no ${marker}: it is not the shared dataroot the NFS side prepared" >&2`,
      "  exit 1",
      "fi",
    ].join("\n"),
  });
}
