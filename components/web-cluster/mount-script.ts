/**
 * Provisioning step of a Moodle app node that checks the shared dataroot: Proxmox bind-mounts it from
 * the cluster's NFS storage (mount point of the container, fixed at creation), so the guest mounts
 * nothing; it only refuses to go on (installer, cron) when the dataroot is not that mount or lacks the
 * marker the NFS side wrote, so Moodle never writes its data onto the node's own disk. Pure.
 */
import { renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { MoodleLayout, resolveLayout, sharedMarkerFile } from "../moodle/layout";
import { rootStep } from "./shell";

export interface AppMountScriptInput {
  layout?: Partial<MoodleLayout>;
}

/** An app node's dataroot check. Needs no secret. */
export function renderAppMountScript(input: AppMountScriptInput): string {
  const layout = resolveLayout(input.layout);
  const marker = sharedMarkerFile;
  return renderScript({
    summary: `Moodle app node: shared dataroot ${layout.dataRoot} (bind mount from the Proxmox node)`,
    setup: [
      rootStep,
      `data="$root"${shellQuote(layout.dataRoot)}`,
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
