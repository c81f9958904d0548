/**
 * A web cluster's cron jobs: one systemd service + timer per job on the cron node only (a oneshot
 * service: a run still going is not started twice), refusing to run while the shared files are not
 * mounted. The same script on every other node retires the units, so moving the cron role is one
 * config change. Pure.
 */
import { renderScript, type GuestFile } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { rootStep } from "./shell";

export interface WebCronJob {
  /** Key from the stack (`cronJobs.<key>`). */
  name: string;
  /** systemd OnCalendar value. */
  schedule: string;
  /** Shell command, run as www-data in the code directory. */
  command: string;
}

export interface WebCronInput {
  /** Cluster name: units are `<cluster>-cron-<job>.{service,timer}`. */
  cluster: string;
  enabled: boolean;
  jobs: readonly WebCronJob[];
  codeDir: string;
  envFile: string;
  sharedMarker: string;
}

const unitDir = "/etc/systemd/system";

export function renderWebCronService(input: WebCronInput, job: WebCronJob): string {
  return [
    `# ${input.cluster} cron job ${job.name}. Rendered by proxmox-sites.`,
    "[Unit]",
    `Description=${input.cluster} cron job ${job.name}`,
    `ConditionPathExists=${input.sharedMarker}`,
    "",
    "[Service]",
    "Type=oneshot",
    "User=www-data",
    "Group=www-data",
    `WorkingDirectory=${input.codeDir}`,
    `EnvironmentFile=${input.envFile}`,
    `ExecStart=/bin/sh -c '${job.command}'`,
    "Nice=5",
    "",
  ].join("\n");
}

export function renderWebCronTimer(input: WebCronInput, job: WebCronJob): string {
  return [
    `# ${input.cluster} cron job ${job.name}: ${job.schedule}. Rendered by proxmox-sites.`,
    "[Unit]",
    `Description=Run ${input.cluster} cron job ${job.name}`,
    "",
    "[Timer]",
    `OnCalendar=${job.schedule}`,
    "AccuracySec=1s",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

/** Installs the timers on the cron node; elsewhere retires any unit of this cluster's cron. */
export function renderWebCronScript(input: WebCronInput): string {
  const prefix = `${input.cluster}-cron-`;
  for (const job of input.jobs) {
    if (!/^[a-z][a-z0-9-]*$/.test(job.name)) throw new Error(`cronJobs.${job.name}: not a job key`);
    if (/['%\n]/.test(job.command))
      throw new Error(`cronJobs.${job.name}.command: must be one line without ' or %`);
  }
  const wanted = input.enabled ? input.jobs.map((j) => `${prefix}${j.name}.timer`) : [];
  // Timers of this cluster that are on the node but not wanted any more (job removed, or not the cron node).
  const retire = [
    `for timer in "$root"${unitDir}/${shellQuote(prefix)}*.timer; do`,
    '  [ -e "$timer" ] || continue',
    '  name="$(basename "$timer")"',
    '  case " $wanted " in',
    '    *" $name "*) ;;',
    "    *)",
    '      systemctl disable --now --quiet "$name" || true',
    '      rm -f "$timer" "${timer%.timer}.service"',
    "      reload=1",
    "      ;;",
    "  esac",
    "done",
  ];
  const files: GuestFile[] = input.enabled
    ? input.jobs.flatMap((job) => [
        {
          path: `${unitDir}/${prefix}${job.name}.service`,
          content: renderWebCronService(input, job),
          onChange: "reload=1",
        },
        {
          path: `${unitDir}/${prefix}${job.name}.timer`,
          content: renderWebCronTimer(input, job),
          onChange: "reload=1",
        },
      ])
    : [];
  return renderScript({
    summary: input.enabled
      ? `${input.cluster} cron on this node: ${input.jobs.length} job(s) as systemd timers`
      : `${input.cluster} cron: not on this node (retire its timers if they were here)`,
    setup: [rootStep, "reload=0", `wanted=${shellQuote(wanted.join(" "))}`].join("\n"),
    files,
    body: [
      ...retire,
      'if [ "$reload" = 1 ]; then systemctl daemon-reload; fi',
      ...wanted.flatMap((timer) => [
        `systemctl is-enabled --quiet ${timer} 2>/dev/null || systemctl enable --quiet ${timer}`,
        `systemctl is-active --quiet ${timer} || systemctl start ${timer}`,
      ]),
    ].join("\n"),
  });
}
