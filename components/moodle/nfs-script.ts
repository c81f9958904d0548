/**
 * Provisioning script of the NFS server guest holding the shared Moodle dataroot (a privileged container
 * or a VM: the kernel NFS server does not run in an unprivileged container). Pure.
 */
import { renderScript, shellQuote } from "../proxmox/script";
import { sharedMarkerFile } from "./layout";
import { defaultExportPath, NfsExportInput, renderNfsExports } from "./nfs";
import { ensureServiceStep, rootStep } from "./shell";
import { renderAptInstall } from "../proxmox/apt";

/** The NFS server's script; no secrets. The export belongs to uid/gid 33 (www-data on Debian). */
export function renderNfsServerScript(input: NfsExportInput): string {
  const exportsFile = renderNfsExports(input);
  const dir = `"$root"${shellQuote(input.exportPath ?? defaultExportPath)}`;
  return renderScript({
    summary: "NFS server of the shared Moodle dataroot",
    setup: [
      rootStep,
      renderAptInstall(["nfs-kernel-server"]),
      `[ -d ${dir} ] || mkdir -p ${dir}`,
      "# Owned by www-data (uid 33 on every Debian guest), the user the app nodes write as.",
      `if [ "$(stat -c '%u:%g:%a' ${dir})" != 33:33:2770 ]; then chown 33:33 ${dir} && chmod 2770 ${dir}; fi`,
      "# The app nodes' health page looks for this file to know the share is really mounted.",
      `marker=${dir}/${sharedMarkerFile}`,
      'if [ ! -e "$marker" ]; then',
      "  echo 'Shared Moodle dataroot (proxmox-sites). Do not delete: app nodes check for it.' >\"$marker\"",
      '  chown 33:33 "$marker"',
      "fi",
    ].join("\n"),
    files: [{ path: "/etc/exports.d/moodle.exports", content: exportsFile, onChange: "exportfs -ra" }],
    body: ensureServiceStep("nfs-server.service"),
  });
}
