/**
 * Host step of the Proxmox node that serves the cluster's shared files: NFS-Ganesha (userspace NFSv4)
 * exporting a directory of the node. A node, not a guest: Ganesha's VFS back end opens files by handle
 * (`open_by_handle_at`, CAP_DAC_READ_SEARCH of the host), which LXC's seccomp denies in every
 * container, and the kernel server's mounts are denied by Proxmox's AppArmor profile. Pure.
 */
import { renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { sharedMarkerFile } from "../moodle/layout";
import {
  checkNfsExport,
  defaultExportPath,
  defaultSharedDirectory,
  ganeshaConfigPath,
  NfsExportInput,
  renderGaneshaConfig,
} from "./nfs";
import { sharedOwnerId } from "../moodle/shared-storage";
import { ensureServiceStep, rootStep } from "./shell";
import { renderAptInstall } from "../proxmox/apt";

/**
 * The NFS server's script; no secrets. The export's root belongs to root; the dataroot inside it to
 * uid/gid 100033, which is www-data (33) of the unprivileged app nodes as the host sees it. Ganesha sends
 * owners as numbers, so the number on disk is the number the nodes and the app nodes' mapping see.
 */
export function renderNfsServerScript(input: NfsExportInput): string {
  checkNfsExport(input);
  const config = renderGaneshaConfig(input);
  const top = `"$root"${shellQuote(input.exportPath ?? defaultExportPath)}`;
  const id = sharedOwnerId;
  return renderScript({
    summary: "NFS server (NFS-Ganesha) of the cluster's shared files",
    setup: [
      rootStep,
      renderAptInstall(["nfs-ganesha", "nfs-ganesha-vfs"]),
      `[ -d ${top} ] || mkdir -p ${top}`,
      `data=${top}/${shellQuote(input.directory ?? defaultSharedDirectory)}`,
      "# The app nodes' www-data (33) is uid 100033 on the host: the owner every node and NFS see.",
      `[ -d "$data" ] || mkdir "$data"`,
      `if [ "$(stat -c '%u:%g:%a' "$data")" != ${id}:${id}:2770 ]; then chown ${id}:${id} "$data" && chmod 2770 "$data"; fi`,
      "# The app nodes' health page looks for this file to know the share is really there.",
      `marker="$data"/${sharedMarkerFile}`,
      'if [ ! -e "$marker" ]; then',
      "  echo 'Shared Moodle dataroot (proxmox-sites). Do not delete: app nodes check for it.' >\"$marker\"",
      `  chown ${id}:${id} "$marker"`,
      "fi",
    ].join("\n"),
    files: [{ path: ganeshaConfigPath, content: config, onChange: "systemctl restart nfs-ganesha.service" }],
    body: ensureServiceStep("nfs-ganesha.service"),
  });
}
