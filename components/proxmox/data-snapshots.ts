/**
 * ZFS snapshots of the data volumes vzdump leaves out (the Nextclouds' multi-terabyte data),
 * taken on the Proxmox node by a systemd timer: a snapshot script, its service and timer, and the
 * node provisioning script that installs them. Snapshots live on the same pool: they undo deletes
 * and bad edits, not a lost pool. Pure: no Pulumi import.
 */
import { renderScript } from "./script";
import { shellQuote } from "./shell-quote";

export const DATA_SNAPSHOT_SCRIPT_PATH = "/usr/local/sbin/proxmox-sites-data-snapshots";
export const DATA_SNAPSHOT_SERVICE_PATH = "/etc/systemd/system/proxmox-sites-data-snapshots.service";
export const DATA_SNAPSHOT_TIMER_PATH = "/etc/systemd/system/proxmox-sites-data-snapshots.timer";
/** Snapshot names start with this, so the script prunes only its own. */
export const DATA_SNAPSHOT_PREFIX = "proxmox-sites";

export interface SnapshotVolume {
  /** Container that mounts the volume. */
  vmid: number;
  /** Mount path inside the container (the `mp=` of its mount point). */
  path: string;
}

export interface DataSnapshotInput {
  /** Volumes of the guests on this node. */
  volumes: readonly SnapshotVolume[];
  /** systemd calendar event of the run, node local time. */
  schedule: string;
  keepHourly: number;
  keepDaily: number;
}

function checkInput(input: DataSnapshotInput): void {
  if (input.volumes.length === 0) throw new Error("data snapshots: no volume to snapshot");
  for (const v of input.volumes) {
    if (!Number.isInteger(v.vmid) || v.vmid < 100) throw new Error(`data snapshots: bad vmid ${v.vmid}`);
    if (!/^\/[\w./-]+$/.test(v.path)) throw new Error(`data snapshots: bad mount path ${v.path}`);
  }
  for (const [name, n] of [
    ["keepHourly", input.keepHourly],
    ["keepDaily", input.keepDaily],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`data snapshots: ${name} must be ≥ 1, found ${n}`);
  }
  if (/[\n\r]/.test(input.schedule)) throw new Error("data snapshots: schedule must be one line");
}

/**
 * The snapshot script the timer runs. Each volume's dataset is found from the container's mount
 * point (`pct config`, `pvesm path`, `zfs list`); every run takes an hourly snapshot and the first
 * run of a day a daily one, then keeps the newest keepHourly/keepDaily of its own snapshots.
 */
export function renderDataSnapshotScript(input: DataSnapshotInput): string {
  checkInput(input);
  const volumes = input.volumes.map((v) => shellQuote(`${v.vmid}:${v.path}`)).join(" ");
  return `#!/usr/bin/env bash
# ZFS snapshots of the data volumes vzdump leaves out. Rendered by proxmox-sites.
set -euo pipefail
prefix=${DATA_SNAPSHOT_PREFIX}
keep_hourly=${input.keepHourly}
keep_daily=${input.keepDaily}
volumes=(${volumes})
stamp="$(date +%Y%m%dT%H%M%S)"
today="$(date +%Y%m%d)"
status=0

# dataset_of VMID PATH: the ZFS dataset behind the container's mount point at PATH.
dataset_of() {
  local vmid="$1" path="$2" line volid opts
  while IFS= read -r line; do
    [[ $line =~ ^mp[0-9]+:\\ ([^,]+),(.*)$ ]] || continue
    volid="\${BASH_REMATCH[1]}"
    opts=",\${BASH_REMATCH[2]},"
    if [[ $opts == *",mp=$path,"* ]]; then
      zfs list -H -o name "$(pvesm path "$volid")"
      return
    fi
  done < <(pct config "$vmid")
  return 1
}

# prune DATASET KIND KEEP: destroys this script's KIND snapshots but the newest KEEP.
prune() {
  local snapshot
  zfs list -H -t snapshot -o name -s creation -d 1 "$1" |
    { grep -F "@$prefix-$2-" || true; } |
    head -n "-$3" |
    while IFS= read -r snapshot; do
      zfs destroy "$snapshot"
    done
}

for entry in "\${volumes[@]}"; do
  vmid="\${entry%%:*}"
  path="\${entry#*:}"
  if ! dataset="$(dataset_of "$vmid" "$path")"; then
    echo "CT $vmid: no ZFS dataset mounted at $path" >&2
    status=1
    continue
  fi
  zfs snapshot "$dataset@$prefix-hourly-$stamp"
  if ! zfs list -H -t snapshot -o name -d 1 "$dataset" | grep -qF "@$prefix-daily-$today"; then
    zfs snapshot "$dataset@$prefix-daily-$today"
  fi
  prune "$dataset" hourly "$keep_hourly"
  prune "$dataset" daily "$keep_daily"
done
exit "$status"
`;
}

/** The oneshot service that runs the snapshot script. */
export function renderDataSnapshotService(): string {
  return [
    "# Rendered by proxmox-sites: ZFS snapshots of the data volumes vzdump leaves out.",
    "[Unit]",
    "Description=ZFS snapshots of the site's data volumes (proxmox-sites)",
    "After=zfs.target pve-cluster.service",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${DATA_SNAPSHOT_SCRIPT_PATH}`,
    "",
  ].join("\n");
}

/** The timer: the stack's schedule, caught up after the node was off. */
export function renderDataSnapshotTimer(schedule: string): string {
  return [
    "# Rendered by proxmox-sites",
    "[Unit]",
    "Description=ZFS snapshots of the site's data volumes (proxmox-sites)",
    "",
    "[Timer]",
    `OnCalendar=${schedule}`,
    "Persistent=true",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

/** The node provisioning script: writes the three files and enables the timer; idempotent. */
export function renderDataSnapshotNodeScript(input: DataSnapshotInput): string {
  const reload = "systemctl daemon-reload";
  return renderScript({
    summary: "ZFS snapshot timer for the data volumes vzdump leaves out (Proxmox node)",
    setup: 'command -v zfs >/dev/null || { echo "zfs is not installed on this node" >&2; exit 1; }',
    files: [
      { path: DATA_SNAPSHOT_SCRIPT_PATH, content: renderDataSnapshotScript(input), mode: "0755" },
      { path: DATA_SNAPSHOT_SERVICE_PATH, content: renderDataSnapshotService(), onChange: reload },
      {
        path: DATA_SNAPSHOT_TIMER_PATH,
        content: renderDataSnapshotTimer(input.schedule),
        onChange: `${reload}\nsystemctl restart proxmox-sites-data-snapshots.timer`,
      },
    ],
    body: "systemctl is-enabled --quiet proxmox-sites-data-snapshots.timer || systemctl enable --now proxmox-sites-data-snapshots.timer",
  });
}
