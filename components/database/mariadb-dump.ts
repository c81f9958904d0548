/**
 * The logical dump job of the MariaDB primary: a script and a systemd timer that runs it every few
 * hours. Each dump is consistent (--single-transaction) and records the binary log file, position and
 * GTID it corresponds to, so a restore can be rolled forward with the binary logs the server keeps
 * (expire_logs_days) to any point in time. Pure: no Pulumi import.
 */
import type { GuestFile } from "../proxmox/script";

export const MARIADB_DUMP_SCRIPT_PATH = "/usr/local/sbin/proxmox-sites-mariadb-dump";
export const MARIADB_DUMP_UNIT = "proxmox-sites-mariadb-dump";
export const MARIADB_DEFAULT_DUMP_DIR = "/var/backups/mariadb";

export interface MariaDbDumpJobInput {
  /** Hours between dumps, 1 to 24; runs at midnight and every that many hours after. Default 6. */
  everyHours?: number;
  /** Days a dump is kept; older ones are deleted after a successful dump. Default 14. */
  retentionDays?: number;
  /** Directory of the dumps (mode 0700). Default /var/backups/mariadb. */
  dumpDir?: string;
}

interface DumpJob {
  everyHours: number;
  retentionDays: number;
  dumpDir: string;
}

function checkDumpJob(input: MariaDbDumpJobInput): DumpJob {
  const everyHours = input.everyHours ?? 6;
  if (!Number.isInteger(everyHours) || everyHours < 1 || everyHours > 24) {
    throw new Error(`dump everyHours: ${everyHours} must be a whole number from 1 to 24`);
  }
  const retentionDays = input.retentionDays ?? 14;
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) {
    throw new Error(`dump retentionDays: ${retentionDays} must be a whole number from 1 to 3650`);
  }
  const dumpDir = input.dumpDir ?? MARIADB_DEFAULT_DUMP_DIR;
  if (!/^\/[\w./-]+$/.test(dumpDir) || dumpDir === "/") {
    throw new Error(`dumpDir: "${dumpDir}" must be an absolute path`);
  }
  return { everyHours, retentionDays, dumpDir };
}

/** systemd calendar expression of the job: `*-*-* 00/6:00:00` for every 6 hours. */
export function mariadbDumpCalendar(everyHours: number): string {
  checkDumpJob({ everyHours });
  return everyHours === 24 ? "*-*-* 00:00:00" : `*-*-* 00/${everyHours}:00:00`;
}

/**
 * The dump script. It dumps every database except the server's own schemas (accounts are
 * re-created by provisioning), writes `mariadb-<UTC time>.sql.gz` atomically, then deletes dumps
 * older than the retention. `MARIADB_CLIENT` and `MARIADB_DUMP` (default `mariadb`,
 * `mariadb-dump`) name the client commands, with any connection options.
 */
export function renderMariaDbDumpScript(input: MariaDbDumpJobInput = {}): string {
  const job = checkDumpJob(input);
  return `#!/usr/bin/env bash
# Rendered by proxmox-sites: dumps every application database of this MariaDB server.
# Restore: gunzip -c <file> | mariadb; then replay the binary logs from the position or GTID
# recorded near the top of the dump (CHANGE MASTER / gtid_slave_pos comments) with mariadb-binlog.
set -euo pipefail
umask 077
dump_dir='${job.dumpDir}'
retention_days=${job.retentionDays}
read -r -a client <<<"\${MARIADB_CLIENT:-mariadb}"
read -r -a dump <<<"\${MARIADB_DUMP:-mariadb-dump}"
mkdir -p "$dump_dir"
chmod 0700 "$dump_dir"
databases_text=$("\${client[@]}" --batch --skip-column-names -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY schema_name")
if [ -z "$databases_text" ]; then
  echo "no application databases: nothing to dump"
  exit 0
fi
mapfile -t databases <<<"$databases_text"
target="$dump_dir/mariadb-$(date -u +%Y%m%dT%H%M%SZ).sql.gz"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT
"\${dump[@]}" --single-transaction --master-data=2 --gtid --routines --events --triggers --hex-blob \\
  --databases "\${databases[@]}" | gzip -6 >"$partial"
mv "$partial" "$target"
echo "dumped \${#databases[@]} database(s) to $target"
find "$dump_dir" -maxdepth 1 -type f -name 'mariadb-*.sql.gz' ! -samefile "$target" \\
  -mmin +$((retention_days * 1440)) -print -delete
find "$dump_dir" -maxdepth 1 -type f -name 'mariadb-*.sql.gz.partial' -mmin +1440 -delete
`;
}

/** The dump script, its service and its timer, as files for a provisioning script. */
export function renderMariaDbDumpFiles(input: MariaDbDumpJobInput = {}): GuestFile[] {
  const job = checkDumpJob(input);
  const service = `[Unit]
Description=proxmox-sites: dump every MariaDB application database
Requires=mariadb.service
After=mariadb.service

[Service]
Type=oneshot
ExecStart=${MARIADB_DUMP_SCRIPT_PATH}
Nice=10
IOSchedulingClass=best-effort
IOSchedulingPriority=7
`;
  const timer = `[Unit]
Description=proxmox-sites: MariaDB dump every ${job.everyHours} hours

[Timer]
OnCalendar=${mariadbDumpCalendar(job.everyHours)}
Persistent=true

[Install]
WantedBy=timers.target
`;
  const reload = "mariadb_units_changed=1";
  return [
    { path: MARIADB_DUMP_SCRIPT_PATH, content: renderMariaDbDumpScript(job), mode: "0755" },
    { path: `/etc/systemd/system/${MARIADB_DUMP_UNIT}.service`, content: service, onChange: reload },
    { path: `/etc/systemd/system/${MARIADB_DUMP_UNIT}.timer`, content: timer, onChange: reload },
  ];
}

/** Bash run after the dump files are written: reload systemd if they changed, enable the timer. */
export function renderMariaDbDumpActivation(): string {
  return [
    'if [ "$mariadb_units_changed" = 1 ]; then systemctl daemon-reload; fi',
    `systemctl is-enabled --quiet ${MARIADB_DUMP_UNIT}.timer || systemctl enable --quiet ${MARIADB_DUMP_UNIT}.timer`,
    `systemctl is-active --quiet ${MARIADB_DUMP_UNIT}.timer || systemctl start ${MARIADB_DUMP_UNIT}.timer`,
  ].join("\n");
}
