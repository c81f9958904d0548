/** Debian package names as dpkg accepts them. */
const debianPackage = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * Bash that installs the named Debian packages only when one is missing: one `apt-get update`
 * at most, nothing at all on a second run. Shared by every tier's provisioning script.
 */
export function renderAptInstall(packages: readonly string[]): string {
  for (const name of packages) {
    if (!debianPackage.test(name)) throw new Error(`bad Debian package name: ${name}`);
  }
  return [
    // An array, not a literal word list: a loop over one literal word trips shellcheck (SC2043).
    `wanted_packages=(${[...new Set(packages)].join(" ")})`,
    "missing_packages=()",
    'for package in "${wanted_packages[@]}"; do',
    "  # shellcheck disable=SC2016 # ${Status} is dpkg-query's format, not a shell variable",
    `  dpkg-query -W -f='\${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing_packages+=("$package")`,
    "done",
    'if [ "${#missing_packages[@]}" -gt 0 ]; then',
    "  export DEBIAN_FRONTEND=noninteractive",
    "  apt-get update -qq",
    '  apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null',
    "fi",
  ].join("\n");
}
