/**
 * The one-time Moodle installer, run on exactly one app node after its app-node script: installs the
 * database when it is empty (never twice: it asks the database first), then points the application cache
 * at Redis. Pure: renders the script.
 */
import { renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { MucRedisInput, renderInstallStatePhp, renderInstallWrapperPhp, renderMucSetupPhp } from "./cli";
import { moodleRedisPasswordVariable } from "./config-php";
import { type MoodleLayout, Problems } from "./layout";
import { rootStep } from "../web-cluster/shell";

export interface InstallerScriptInput {
  /** Moodle admin user name. Default `admin`; the password comes from MOODLE_ADMIN_PASSWORD. */
  adminUser?: string;
  /** Admin's e-mail, also the site's support address. */
  adminEmail: string;
  /** Site full name (front page title). */
  fullName: string;
  /** Site short name. */
  shortName: string;
  /** Install language. Default `en`. */
  lang?: string;
  /** Redis of the application cache (MUC). */
  muc: Omit<MucRedisInput, "layout">;
  /** The resolved layout (`resolveLayout`), handed to every helper the script writes. */
  layout: MoodleLayout;
}

export const moodleAdminPasswordVariable = "MOODLE_ADMIN_PASSWORD";

/** Environment the script needs from the stdin prelude. */
export const installerScriptEnv = [moodleAdminPasswordVariable, moodleRedisPasswordVariable] as const;

/** Where the installer's PHP helpers are written. */
export const cliHelperDir = "/usr/local/lib/proxmox-sites/moodle";

/** The installer script. Needs MOODLE_ADMIN_PASSWORD and MOODLE_REDIS_PASSWORD. */
export function renderInstallerScript(input: InstallerScriptInput): string {
  const { layout } = input;
  const adminUser = input.adminUser ?? "admin";
  const lang = input.lang ?? "en";
  const p = new Problems("moodle.installer");
  p.check(/^[a-z0-9_.@-]{1,100}$/.test(adminUser), "adminUser", adminUser, "a Moodle user name (lower case)");
  p.check(
    /^[^\s@'"]+@[^\s@'"]+\.[^\s@'"]+$/.test(input.adminEmail),
    "adminEmail",
    input.adminEmail,
    "an e-mail address",
  );
  p.check(
    input.fullName.trim().length > 0 && !/\n/.test(input.fullName),
    "fullName",
    input.fullName,
    "one line of text",
  );
  p.check(
    input.shortName.trim().length > 0 && !/\n/.test(input.shortName),
    "shortName",
    input.shortName,
    "one line of text",
  );
  p.check(/^[a-z]{2,3}(_[a-z]+)?$/.test(lang), "lang", lang, "a language code like en or de");
  p.throwIfAny();
  const php = (file: string) => `runuser -u www-data -- php "$root${cliHelperDir}/${file}"`;
  const installArgs = [
    "--agree-license",
    `--lang=${lang}`,
    `--adminuser=${adminUser}`,
    `--adminemail=${input.adminEmail}`,
    `--supportemail=${input.adminEmail}`,
    `--fullname=${input.fullName}`,
    `--shortname=${input.shortName}`,
  ].map(shellQuote);
  const body = [
    `state="$(${php("install-state.php")})"`,
    'case "$state" in',
    "  installed) echo 'Moodle is already installed' ;;",
    "  empty)",
    "    # Only this node runs the installer; the lock guards against two runs of this script at once.",
    "    exec 9>/run/lock/moodle-install.lock",
    "    flock -n 9 || { echo 'another installer run holds the lock' >&2; exit 1; }",
    `    ${php("install.php")} \\`,
    `      ${installArgs.join(" \\\n      ")}`,
    "    ;;",
    "  *)",
    `    echo "Moodle's database is partly installed ($state): finish or empty it by hand" >&2`,
    "    exit 1",
    "    ;;",
    "esac",
    `muc="$(${php("muc-redis.php")})"`,
    'echo "application cache in Redis: $muc"',
  ];
  return renderScript({
    summary: "Moodle installer (one node only): database install when empty, application cache in Redis",
    requiredEnv: [...installerScriptEnv],
    setup: rootStep,
    files: [
      { path: `${cliHelperDir}/install-state.php`, content: renderInstallStatePhp(layout) },
      { path: `${cliHelperDir}/install.php`, content: renderInstallWrapperPhp(layout) },
      { path: `${cliHelperDir}/muc-redis.php`, content: renderMucSetupPhp({ ...input.muc, layout }) },
    ],
    body: body.join("\n"),
  });
}
