/** Bash helpers shared by the monitoring scripts. Pure: no Pulumi import. */
import { renderAptInstall, type AptLoopForm } from "../proxmox/apt";

/** The monitoring scripts' form of the toolkit's apt installer (kept: the deployed scripts use it). */
const MONITORING_APT_FORM: AptLoopForm = {
  names: { wanted: "wanted", missing: "missing", item: "pkg" },
  probe: "dpkg-s",
  frontend: "inline",
};

/** Bash that installs the Debian/Ubuntu packages that are missing (no apt-get update when none is). */
export function aptInstallMissing(packages: readonly string[]): string {
  return renderAptInstall(packages, MONITORING_APT_FORM);
}

/** Bash that enables a systemd unit and starts it if it is not running (restart is the onChange's job). */
export function enableAndStart(unit: string): string {
  return [
    `systemctl enable --quiet ${unit}`,
    `systemctl is-active --quiet ${unit} || systemctl start ${unit}`,
  ].join("\n");
}
