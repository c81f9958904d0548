/**
 * Provisioning script of a Moodle app node: nginx, php-fpm and the PHP extensions Moodle needs, the Moodle
 * code at the stack's branch (cloned once), and every config file of the node. It needs neither the shared
 * dataroot nor the database: the dataroot is a bind mount Proxmox gives the container, checked afterwards
 * by renderAppMountScript (the health page keeps the node out until the share is there). A changed
 * nginx/php-fpm file raises a flag; the flag is lowered only after the daemon's own check passed and it
 * reloaded, so a failed run is finished by the next one. Pure: renders the script.
 */
import { GuestFile, renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import {
  MoodleConfigInput,
  moodleDbPasswordVariable,
  moodleRedisPasswordVariable,
  renderMoodleConfigPhp,
} from "./config-php";
import { renderHealthPage } from "./health";
import { isMoodleBranch, moodleDocumentRoot, type MoodleLayout, Problems } from "./layout";
import { NginxSiteInput, renderNginxSite } from "./nginx";
import { PhpFpmPoolInput, PhpIniInput, renderPhpFpmPool, renderPhpIni } from "./php-fpm";
import { ensureServiceStep, raiseFlag, reloadOnFlagStep, rootStep } from "../web-cluster/shell";
import { renderAptInstall } from "../proxmox/apt";

export interface AppNodeScriptInput {
  /** Moodle git branch, e.g. `MOODLE_403_STABLE`. Cloned when the code directory is empty; never switched. */
  moodleBranch: string;
  /** Moodle's git repository. Default `https://github.com/moodle/moodle.git`. */
  gitUrl?: string;
  site: Omit<NginxSiteInput, "layout" | "documentRoot" | "maxUploadMb">;
  pool: Omit<PhpFpmPoolInput, "layout">;
  /** PHP ini overrides; `maxUploadMb` also sets nginx's body limit. */
  php?: PhpIniInput;
  config: Omit<MoodleConfigInput, "layout">;
  /** The resolved layout (`resolveLayout`), handed to every file the script writes. */
  layout: MoodleLayout;
}

/** Debian packages of an app node: nginx, php-fpm and the extensions Moodle requires. */
export function appNodePackages(): string[] {
  const php = ["fpm", "cli", "redis", "mysql", "intl", "xml", "mbstring", "zip", "gd", "curl", "soap"];
  return ["nginx", ...php.map((ext) => `php-${ext}`), "git", "ca-certificates"];
}

/** Environment the script needs from the stdin prelude (config.php's placeholders). */
export const appNodeScriptEnv = [moodleDbPasswordVariable, moodleRedisPasswordVariable] as const;

function codeStep(layout: MoodleLayout, branch: string, gitUrl: string): string {
  const b = shellQuote(branch);
  return [
    `code="$root"${shellQuote(layout.codeDir)}`,
    'if [ ! -f "$code/version.php" ]; then',
    '  rm -rf "$code.partial"',
    `  git clone --quiet --depth 1 --single-branch --branch ${b} ${shellQuote(gitUrl)} "$code.partial"`,
    "  # Keep what an earlier, interrupted run already wrote there (config.php).",
    '  if [ -d "$code" ]; then cp -a "$code/." "$code.partial/" && rm -rf "$code"; fi',
    '  mv "$code.partial" "$code"',
    "fi",
    'checkout="$(git -C "$code" rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)"',
    `if [ "$checkout" != ${b} ]; then`,
    `  echo "warning: $code is at $checkout, not "${b}"; upgrading Moodle is a separate step" >&2`,
    "fi",
  ].join("\n");
}

function directoriesStep(layout: MoodleLayout): string {
  return [
    `install -d -m 2770 -o www-data -g www-data "$root"${shellQuote(layout.localCacheDir)}`,
    `install -d -m 0755 "$root"${shellQuote(layout.healthDir)}`,
  ].join("\n");
}

/** An app node's provisioning script. Needs MOODLE_DB_PASSWORD and MOODLE_REDIS_PASSWORD. */
export function renderAppNodeScript(input: AppNodeScriptInput): string {
  const { layout } = input;
  const p = new Problems("moodle.app");
  p.check(
    isMoodleBranch(input.moodleBranch),
    "moodleBranch",
    input.moodleBranch,
    "a branch like MOODLE_403_STABLE",
  );
  const gitUrl = input.gitUrl ?? "https://github.com/moodle/moodle.git";
  p.check(/^https:\/\/[A-Za-z0-9./_-]+$/.test(gitUrl), "gitUrl", gitUrl, "an https URL");
  p.throwIfAny();
  const v = layout.phpVersion;
  const maxUploadMb = input.php?.maxUploadMb ?? 512;
  const site = renderNginxSite({
    ...input.site,
    maxUploadMb,
    documentRoot: moodleDocumentRoot(layout.codeDir, input.moodleBranch),
    layout,
  });
  const ini = renderPhpIni({ ...input.php, maxUploadMb });
  const files: GuestFile[] = [
    { path: "/etc/nginx/sites-available/moodle", content: site, onChange: raiseFlag("nginx") },
    {
      path: `/etc/php/${v}/fpm/pool.d/moodle.conf`,
      content: renderPhpFpmPool({ ...input.pool, layout }),
      onChange: raiseFlag("php-fpm"),
    },
    { path: `/etc/php/${v}/fpm/conf.d/90-moodle.ini`, content: ini, onChange: raiseFlag("php-fpm") },
    { path: `/etc/php/${v}/cli/conf.d/90-moodle.ini`, content: ini },
    {
      path: `${layout.codeDir}/config.php`,
      content: renderMoodleConfigPhp({ ...input.config, layout }),
      mode: "0640",
      owner: "root:www-data",
      onChange: raiseFlag("php-fpm"),
    },
    { path: `${layout.healthDir}/health.php`, content: renderHealthPage(layout) },
  ];
  const body = [
    'if [ "$(readlink "$root/etc/nginx/sites-enabled/moodle")" != /etc/nginx/sites-available/moodle ]; then',
    '  ln -sfn /etc/nginx/sites-available/moodle "$root/etc/nginx/sites-enabled/moodle"',
    `  ${raiseFlag("nginx")}`,
    "fi",
    'if [ -e "$root/etc/nginx/sites-enabled/default" ] || [ -L "$root/etc/nginx/sites-enabled/default" ]; then',
    '  rm -f "$root/etc/nginx/sites-enabled/default"',
    `  ${raiseFlag("nginx")}`,
    "fi",
    `if [ -e "$root/etc/php/${v}/fpm/pool.d/www.conf" ]; then`,
    `  mv "$root/etc/php/${v}/fpm/pool.d/www.conf" "$root/etc/php/${v}/fpm/pool.d/www.conf.disabled"`,
    `  ${raiseFlag("php-fpm")}`,
    "fi",
    reloadOnFlagStep("php-fpm", `php-fpm${v} -t`, `php${v}-fpm.service`),
    reloadOnFlagStep("nginx", "nginx -t -q", "nginx.service"),
    ensureServiceStep(`php${v}-fpm.service`),
    ensureServiceStep("nginx.service"),
  ];
  return renderScript({
    summary: `Moodle app node: nginx, php-fpm ${v}, Moodle ${input.moodleBranch}`,
    requiredEnv: [...appNodeScriptEnv],
    setup: [
      rootStep,
      renderAptInstall(appNodePackages()),
      codeStep(layout, input.moodleBranch, gitUrl),
      directoriesStep(layout),
    ].join("\n"),
    files,
    body: body.join("\n"),
  });
}
