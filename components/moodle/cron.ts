/**
 * Moodle cron on exactly one app node: a systemd timer starting `admin/cli/cron.php` as www-data every
 * minute (a oneshot service: a run still going is not started twice). Cron refuses to start while the
 * shared dataroot is not mounted. The same script with `enabled: false` retires the timer on the other
 * nodes, so moving the cron role is one config change. Pure.
 */
import { renderScript } from "../proxmox/script";
import { type MoodleLayout, sharedMarkerFile } from "./layout";
import { rootStep } from "../web-cluster/shell";

export interface CronInput {
  /** True on the one node that runs cron (the stack's `cronNode`), false on every other node. */
  enabled: boolean;
  /** The resolved layout (`resolveLayout`): code and dataroot. */
  layout: MoodleLayout;
}

/** `/etc/systemd/system/moodle-cron.service`. */
export function renderCronService(l: MoodleLayout): string {
  return [
    "# Moodle cron. Rendered by proxmox-sites.",
    "[Unit]",
    "Description=Moodle cron (scheduled and ad hoc tasks)",
    `RequiresMountsFor=${l.dataRoot}`,
    `ConditionPathExists=${l.dataRoot}/${sharedMarkerFile}`,
    "",
    "[Service]",
    "Type=oneshot",
    "User=www-data",
    "Group=www-data",
    `ExecStart=/usr/bin/php ${l.codeDir}/admin/cli/cron.php`,
    "Nice=5",
    "",
  ].join("\n");
}

/** `/etc/systemd/system/moodle-cron.timer`: every minute. */
export function renderCronTimer(): string {
  return [
    "# Moodle cron every minute. Rendered by proxmox-sites.",
    "[Unit]",
    "Description=Run Moodle cron every minute",
    "",
    "[Timer]",
    "OnCalendar=*-*-* *:*:00",
    "AccuracySec=1s",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

/** Installs and starts the timer (enabled) or stops and removes it (not enabled). No secrets. */
export function renderCronScript(input: CronInput): string {
  const units = ["moodle-cron.service", "moodle-cron.timer"];
  if (!input.enabled) {
    return renderScript({
      summary: "Moodle cron: not on this node (retire the timer if it was here)",
      setup: rootStep,
      body: [
        'if [ -e "$root/etc/systemd/system/moodle-cron.timer" ]; then',
        "  systemctl disable --now --quiet moodle-cron.timer || true",
        `  rm -f ${units.map((u) => `"$root/etc/systemd/system/${u}"`).join(" ")}`,
        "  systemctl daemon-reload",
        "fi",
      ].join("\n"),
    });
  }
  return renderScript({
    summary: "Moodle cron on this node: systemd timer every minute",
    files: [
      {
        path: "/etc/systemd/system/moodle-cron.service",
        content: renderCronService(input.layout),
        onChange: "reload=1",
      },
      { path: "/etc/systemd/system/moodle-cron.timer", content: renderCronTimer(), onChange: "reload=1" },
    ],
    body: [
      'if [ "${reload:-0}" = 1 ]; then systemctl daemon-reload; fi',
      "systemctl is-enabled --quiet moodle-cron.timer 2>/dev/null || systemctl enable --quiet moodle-cron.timer",
      "systemctl is-active --quiet moodle-cron.timer || systemctl start moodle-cron.timer",
    ].join("\n"),
  });
}
