/**
 * The print server's provisioning script: CUPS and Samba from Debian, the rendered cupsd.conf and
 * smb.conf, each checked by its own daemon before a restart. Pure: no Pulumi import.
 */
import { renderAptInstall } from "../proxmox/apt";
import { renderScript, type GuestFile } from "../proxmox/script";
import { CUPSD_CONF_PATH, renderCupsdConf, type CupsdInput } from "./cupsd";
import { renderSmbConf, SAMBA_SPOOL_DIR, SMB_CONF_PATH, type SambaInput } from "./samba";

/** What in testparm's messages means the file is not what was meant (it still exits 0 for these). */
export const SAMBA_CHECK_FAILURES = "Unknown parameter|Ignoring|WARNING|Error";

export interface PrintServerInput {
  cups: CupsdInput;
  samba: SambaInput;
}

/** The files the script writes; `onChange` raises the restart flags. */
export function printServerFiles(input: PrintServerInput): GuestFile[] {
  return [
    {
      path: CUPSD_CONF_PATH,
      content: renderCupsdConf(input.cups),
      mode: "0640",
      owner: "root:lp",
      onChange: "cups_restart=1",
    },
    { path: SMB_CONF_PATH, content: renderSmbConf(input.samba), onChange: "smb_restart=1" },
  ];
}

/** Restarts a unit when its flag is set, else starts it if it is not running. */
function restartOrStart(unit: string, flag: string): string {
  return [
    `if [ "$${flag}" = 1 ]; then`,
    `  systemctl restart ${unit}`,
    `elif ! systemctl is-active --quiet ${unit}; then`,
    `  systemctl start ${unit}`,
    "fi",
  ].join("\n");
}

/** The whole script: packages, files, checks, services. A second run changes nothing. */
export function renderPrintServerScript(input: PrintServerInput): string {
  return renderScript({
    summary: "Print server: CUPS with its printers shared by Samba.",
    setup: [renderAptInstall(["cups", "samba"]), "cups_restart=0", "smb_restart=0"].join("\n"),
    files: printServerFiles(input),
    body: [
      // Both daemons read their files again before anything restarts: a bad file stops the run here.
      `cupsd -t -c ${CUPSD_CONF_PATH} >/dev/null`,
      // testparm exits 0 on an unknown parameter: its messages decide too.
      `if ! smb_check="$(testparm -s ${SMB_CONF_PATH} 2>&1 >/dev/null)" || grep -qE '${SAMBA_CHECK_FAILURES}' <<<"$smb_check"; then`,
      '  echo "$smb_check" >&2',
      "  exit 1",
      "fi",
      `install -d -m 1777 ${SAMBA_SPOOL_DIR}`,
      // NetBIOS is off (port 445 only): nmbd has nothing to do.
      "if systemctl is-enabled --quiet nmbd 2>/dev/null; then systemctl disable --now nmbd; fi",
      "systemctl enable --quiet cups smbd",
      restartOrStart("cups", "cups_restart"),
      restartOrStart("smbd", "smb_restart"),
    ].join("\n"),
  });
}
