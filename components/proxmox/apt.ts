/**
 * The one apt installer every provisioning script uses: `apt-get update` then `apt-get install`,
 * run only when something is missing, so a second run installs and downloads nothing.
 *
 * The scripts it renders were written tier by tier before this module existed and are already
 * deployed; the options below reproduce each form byte for byte, so adopting the module changes no
 * guest script (and no Pulumi plan).
 */

/** Debian package names as dpkg accepts them. */
const debianPackage = /^[a-z0-9][a-z0-9+.-]+$/;

function checkPackageNames(packages: readonly string[]): void {
  for (const name of packages) {
    if (!debianPackage.test(name)) throw new Error(`bad Debian package name: ${name}`);
  }
}

/** How the two apt-get lines are written. */
export interface AptGetForm {
  /**
   * `export`: `export DEBIAN_FRONTEND=noninteractive` before `apt-get update` (the rest of the
   * script inherits it); `inline`: set on the `apt-get install` command only.
   */
  frontend: "export" | "inline";
  /** Also install Recommends (default false: `--no-install-recommends`). */
  recommends?: boolean;
  /** Send apt-get install's progress to /dev/null (default true; errors still reach stderr). */
  quiet?: boolean;
}

/**
 * The apt-get lines, indented for the body of an `if`: `words` is the bash word list to install
 * (literal package names, or an array expansion such as `"${missing[@]}"`).
 */
export function renderAptGetLines(words: string, form: AptGetForm): string[] {
  const install = [
    form.frontend === "inline" ? "DEBIAN_FRONTEND=noninteractive apt-get install" : "apt-get install",
    "-y -qq",
    ...(form.recommends ? [] : ["--no-install-recommends"]),
    words,
    ...(form.quiet === false ? [] : [">/dev/null"]),
  ].join(" ");
  return [
    ...(form.frontend === "export" ? ["  export DEBIAN_FRONTEND=noninteractive"] : []),
    "  apt-get update -qq",
    `  ${install}`,
  ];
}

/** `if <condition>; then` the apt-get lines for `packages` `fi`. */
export function renderAptInstallIf(condition: string, packages: readonly string[], form: AptGetForm): string {
  checkPackageNames(packages);
  return [`if ${condition}; then`, ...renderAptGetLines(packages.join(" "), form), "fi"].join("\n");
}

/**
 * Installs `packages` unless `marker` (usually the first of them) is installed: one dpkg query for
 * a tier whose packages come and go together.
 */
export function renderAptInstallUnless(marker: string, packages: readonly string[]): string {
  checkPackageNames([marker]);
  return renderAptInstallIf(
    `! dpkg-query -W -f='\${db:Status-Abbrev}' ${marker} 2>/dev/null | grep -q '^ii'`,
    packages,
    { frontend: "export" },
  );
}

/** How the per-package loop of {@link renderAptInstall} is written. */
export interface AptLoopForm extends AptGetForm {
  /** Names of the bash arrays of wanted and missing packages and of the loop variable. */
  names: { wanted: string; missing: string; item: string };
  /** How a package is found installed: `dpkg-query` on `${Status}`, or `dpkg -s`'s Status line. */
  probe: "dpkg-query" | "dpkg-s";
}

/** The toolkit's own form, used by every tier written since. */
export const TOOLKIT_APT_FORM: AptLoopForm = {
  names: { wanted: "wanted_packages", missing: "missing_packages", item: "package" },
  probe: "dpkg-query",
  frontend: "export",
};

/**
 * Bash that installs the named Debian packages only when one is missing: one `apt-get update`
 * at most, nothing at all on a second run.
 */
export function renderAptInstall(packages: readonly string[], form: AptLoopForm = TOOLKIT_APT_FORM): string {
  checkPackageNames(packages);
  const { wanted, missing, item } = form.names;
  const probe =
    form.probe === "dpkg-query"
      ? [
          "  # shellcheck disable=SC2016 # ${Status} is dpkg-query's format, not a shell variable",
          `  dpkg-query -W -f='\${Status}' "$${item}" 2>/dev/null | grep -q "install ok installed" || ${missing}+=("$${item}")`,
        ]
      : [
          `  dpkg -s "$${item}" 2>/dev/null | grep -qx 'Status: install ok installed' || ${missing}+=("$${item}")`,
        ];
  return [
    // An array, not a literal word list: a loop over one literal word trips shellcheck (SC2043).
    `${wanted}=(${[...new Set(packages)].join(" ")})`,
    `${missing}=()`,
    `for ${item} in "\${${wanted}[@]}"; do`,
    ...probe,
    "done",
    `if [ "\${#${missing}[@]}" -gt 0 ]; then`,
    ...renderAptGetLines(`"\${${missing}[@]}"`, form),
    "fi",
  ].join("\n");
}
