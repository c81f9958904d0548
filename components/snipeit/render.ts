/**
 * The provisioning script of the Snipe-IT guest (TurnKey Snipe-IT 18.0, Debian 12, Apache + mod_php, Snipe-IT in
 * /var/www/snipe-it against a guest-local MySQL). TurnKey's Apache site already serves /var/www/snipe-it/public
 * on plain port 80 without a redirect, so the tunnel's origin is http://<guest>:80 and no web server file is
 * needed; Snipe-IT learns the https scheme from APP_FORCE_TLS and the trusted proxies. Pure: no Pulumi import.
 *
 * Order matters: Laravel's cached config wins over .env, and TurnKey's cache points at the local database, so
 * the cache is rebuilt from the new .env before `migrate` runs.
 */
import { renderTurnkeyFenceDown } from "../nextcloud/turnkey";
import { renderSecretCheck } from "../proxmox/secret-checks";
import { GuestFile, renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { SNIPEIT_BOOTSTRAP_PATH, renderSnipeItBootstrapPhp } from "./bootstrap";
import { renderSnipeItEnv } from "./env";
import { SnipeItInput, resolveSnipeItInput, snipeItSecretEnv } from "./types";

/** TurnKey runs the scheduler as root, which leaves root-owned files in storage/; ours runs as www-data. */
export function renderSnipeItCron(input: SnipeItInput): string {
  const s = resolveSnipeItInput(input);
  return `# Rendered by proxmox-sites: Snipe-IT scheduled tasks, every minute, as the web server user.
* * * * * www-data /usr/bin/php ${s.installDirectory}/artisan schedule:run >/dev/null 2>&1
`;
}

/** Every file the script writes; `onChange` only raises the `env_changed` flag the script acts on. */
export function snipeItGuestFiles(input: SnipeItInput): GuestFile[] {
  const s = resolveSnipeItInput(input);
  const files: GuestFile[] = [
    {
      path: `${s.installDirectory}/.env`,
      content: renderSnipeItEnv(s),
      mode: "0640",
      owner: "www-data:www-data",
      onChange: "env_changed=1",
    },
    { path: "/etc/cron.d/snipe-it", content: renderSnipeItCron(s) },
  ];
  if (s.admin) files.push({ path: SNIPEIT_BOOTSTRAP_PATH, content: renderSnipeItBootstrapPhp(s) });
  return files;
}

/** A script that only writes the files (no artisan): what tests run under PROVISION_ROOT. */
export function renderSnipeItFilesScript(input: SnipeItInput): string {
  return renderScript({
    summary: "Snipe-IT: write the configuration files only.",
    setup: renderSnipeItSecretChecks(input),
    files: snipeItGuestFiles(input).map((file) => ({ ...file, onChange: undefined })),
  });
}

/** Checks that keep a secret from breaking out of its single-quoted .env value, and the APP_KEY's form. */
export function renderSnipeItSecretChecks(input: SnipeItInput): string {
  const names = snipeItSecretEnv(input);
  const quoted = names.filter((name) => name !== "SNIPEIT_ADMIN_PASSWORD");
  return [
    // The administrator's password reaches PHP through the environment: any string works there.
    ...quoted.map((name) => renderSecretCheck(name, "env-file")),
    `if ! [[ "$SNIPEIT_APP_KEY" =~ ^base64:[A-Za-z0-9+/]{43}=$ ]]; then`,
    `  echo "SNIPEIT_APP_KEY must be base64: followed by 32 bytes in base64" >&2`,
    "  exit 1",
    "fi",
  ].join("\n");
}

/** The full, idempotent provisioning script; the prelude exports `snipeItSecretEnv(input)`. */
export function renderSnipeItScript(input: SnipeItInput): string {
  const s = resolveSnipeItInput(input);
  const setup = `${renderSnipeItSecretChecks(s)}
app_dir=${shellQuote(s.installDirectory)}
env_changed=0
artisan() { runuser -u www-data -- php "$app_dir/artisan" --no-interaction "$@"; }
${renderTurnkeyFenceDown()}`;
  const bootstrap = s.admin
    ? `# First administrator and settings row (closes the setup wizard); a no-op once both exist.
runuser -u www-data -- php ${shellQuote(SNIPEIT_BOOTSTRAP_PATH)}`
    : "# No administrator given: the setup wizard stays open until someone completes it.";
  const body = `# Cached config wins over .env: rebuild it from the new .env before anything talks to the database.
if [ "$env_changed" = 1 ] || [ ! -f "$app_dir/bootstrap/cache/config.php" ]; then
  artisan config:cache
fi
artisan migrate --force
if [ ! -f "$app_dir/storage/oauth-private.key" ]; then
  artisan passport:keys
fi
${bootstrap}`;
  return renderScript({
    summary: `Snipe-IT (${s.hostname}): .env against the central MariaDB, migrations, first administrator.`,
    requiredEnv: snipeItSecretEnv(s),
    setup,
    files: snipeItGuestFiles(s),
    body,
  });
}
