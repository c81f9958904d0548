/** Bash helpers shared by the monitoring scripts. Pure: no Pulumi import. */

/** Bash that installs the Debian/Ubuntu packages that are missing (no apt-get update when none is). */
export function aptInstallMissing(packages: readonly string[]): string {
  for (const p of packages) if (!/^[a-z0-9][a-z0-9+.-]+$/.test(p)) throw new Error(`bad package name: ${p}`);
  return [
    `wanted=(${packages.join(" ")})`,
    "missing=()",
    'for pkg in "${wanted[@]}"; do',
    `  dpkg -s "$pkg" 2>/dev/null | grep -qx 'Status: install ok installed' || missing+=("$pkg")`,
    "done",
    'if [ "${#missing[@]}" -gt 0 ]; then',
    "  apt-get update -qq",
    '  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null',
    "fi",
  ].join("\n");
}

/** Bash that enables a systemd unit and starts it if it is not running (restart is the onChange's job). */
export function enableAndStart(unit: string): string {
  return [
    `systemctl enable --quiet ${unit}`,
    `systemctl is-active --quiet ${unit} || systemctl start ${unit}`,
  ].join("\n");
}
