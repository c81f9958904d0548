/**
 * Provisioning script of the NFS server guest holding the shared Moodle dataroot (a privileged container
 * or a VM: the kernel NFS server does not run in an unprivileged container). Pure.
 */
import { renderScript, shellQuote } from "../proxmox/script";
import { sharedMarkerFile } from "../moodle/layout";
import {
  checkNfsExport,
  defaultExportPath,
  defaultSharedDirectory,
  NfsExportInput,
  renderNfsExports,
} from "./nfs";
import { sharedOwnerId } from "../moodle/shared-storage";
import { ensureServiceStep, rootStep } from "./shell";
import { renderAptInstall } from "../proxmox/apt";

/**
 * The NFS server's script; no secrets. The export's root belongs to root; the dataroot inside it to
 * uid/gid 100033, which is www-data (33) of the unprivileged app nodes as the host sees it. This guest is
 * privileged, so the number on disk is the number the nodes and the app nodes' mapping see.
 */
export function renderNfsServerScript(input: NfsExportInput): string {
  checkNfsExport(input);
  const exportsFile = renderNfsExports(input);
  const top = `"$root"${shellQuote(input.exportPath ?? defaultExportPath)}`;
  const id = sharedOwnerId;
  return renderScript({
    summary: "NFS server of the shared Moodle dataroot",
    setup: [
      rootStep,
      renderAptInstall(["nfs-kernel-server"]),
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
    files: [{ path: "/etc/exports.d/moodle.exports", content: exportsFile, onChange: "exportfs -ra" }],
    body: ensureServiceStep("nfs-server.service"),
  });
}
