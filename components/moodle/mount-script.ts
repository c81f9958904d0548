/**
 * Provisioning step of a Moodle app node that attaches the shared dataroot: the NFS line in fstab and
 * the mount (or, without NFS, the check that the host bind-mounted it), then the check that the share
 * is the one the NFS server prepared. Split from the app script so the long install (packages, code,
 * configs) does not wait for the NFS server; this short step runs after both. nfs-common comes with the
 * app script's packages. Pure: renders the script.
 */
import { renderScript, shellQuote } from "../proxmox/script";
import { MoodleLayout, resolveLayout, sharedMarkerFile } from "./layout";
import { NfsMountInput, renderNfsFstabLine } from "./nfs";
import { rootStep } from "./shell";

export interface AppMountScriptInput {
  /** NFS mount of the shared dataroot; omit when the guest gets it as a bind mount from the host. */
  nfs?: Omit<NfsMountInput, "layout">;
  layout?: Partial<MoodleLayout>;
}

function fstabStep(layout: MoodleLayout, nfs: NonNullable<AppMountScriptInput["nfs"]>): string {
  const line = renderNfsFstabLine({ ...nfs, layout });
  const mountPattern = `^[^#[:space:]]+[[:space:]]+${layout.dataRoot.replace(/\./g, "\\.")}[[:space:]]`;
  return [
    `line=${shellQuote(line)}`,
    'fstab="$root/etc/fstab"',
    'touch "$fstab"',
    'if ! grep -qxF "$line" "$fstab"; then',
    `  { grep -vE ${shellQuote(mountPattern)} "$fstab" || true; printf '%s\\n' "$line"; } >"$fstab.new"`,
    '  cat "$fstab.new" >"$fstab"',
    '  rm -f "$fstab.new"',
    "fi",
    `mountpoint -q "$data" || mount ${shellQuote(layout.dataRoot)}`,
  ].join("\n");
}

/**
 * An app node's dataroot step. Run after the node's app script (which installs nfs-common) and after
 * the NFS server's script. Needs no secret.
 */
export function renderAppMountScript(input: AppMountScriptInput): string {
  const layout = resolveLayout(input.layout);
  const marker = sharedMarkerFile;
  const attach = input.nfs
    ? fstabStep(layout, input.nfs)
    : 'mountpoint -q "$data" || echo "warning: $data is not a mount point (expected a bind mount)" >&2';
  return renderScript({
    summary: `Moodle app node: shared dataroot ${layout.dataRoot}${input.nfs ? " over NFS" : " (bind mount)"}`,
    setup: [
      rootStep,
      `data="$root"${shellQuote(layout.dataRoot)}`,
      '[ -d "$data" ] || mkdir -p "$data"',
      attach,
      `[ -e "$data/${marker}" ] || echo "warning: $data has no ${marker}: the health page keeps this node out" >&2`,
    ].join("\n"),
  });
}
