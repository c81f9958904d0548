/**
 * The provisioning script of one Nextcloud guest (TurnKey Nextcloud 18.1, Debian 12, Apache + mod_php, Nextcloud
 * pre-installed under /var/www/nextcloud against a guest-local MySQL). Pure: no Pulumi import.
 *
 * Install decision, by `occ status` and the configured `dbhost`:
 * - not installed → `occ maintenance:install` against the central MariaDB, data on the ZFS mount;
 * - installed against our database → nothing to install (second run);
 * - installed against the guest-local database (TurnKey's own, first run) → its config.php is moved to /root
 *   and a fresh install runs against the central database: TurnKey's instance holds no user data yet, and
 *   migrating it would carry its secrets and local paths along. The script refuses when the data directory
 *   already holds another instance's data;
 * - installed against any other database → stop with an error: moving a live instance is done by hand.
 */
import { GuestFile, renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import {
  NEXTCLOUD_APACHE_MODULES,
  nextcloudApacheSiteName,
  renderNextcloudApacheSite,
  renderNextcloudCron,
  renderNextcloudPhpIni,
} from "./apache";
import { NEXTCLOUD_CONFIG_FILE, renderNextcloudConfigPhp } from "./config";
import { renderAptInstall } from "../proxmox/apt";
import { renderTurnkeyFenceDown } from "./turnkey";
import { NEXTCLOUD_SECRET_ENV, NextcloudInput, resolveNextcloudInput } from "./types";

/** Every file the script writes; `onChange` only raises the `reload_apache` flag the script acts on. */
export function nextcloudGuestFiles(input: NextcloudInput): GuestFile[] {
  const nc = resolveNextcloudInput(input);
  const reload = "reload_apache=1";
  const ini = renderNextcloudPhpIni(nc);
  const iniName = `90-proxmox-sites-nextcloud.ini`;
  return [
    {
      path: `${nc.installDirectory}/${NEXTCLOUD_CONFIG_FILE}`,
      content: renderNextcloudConfigPhp(nc),
      mode: "0640",
      owner: "www-data:www-data",
    },
    {
      path: `/etc/apache2/sites-available/${nextcloudApacheSiteName(nc.instance)}.conf`,
      content: renderNextcloudApacheSite(nc),
      onChange: reload,
    },
    { path: `/etc/php/${nc.phpVersion}/apache2/conf.d/${iniName}`, content: ini, onChange: reload },
    { path: `/etc/php/${nc.phpVersion}/cli/conf.d/${iniName}`, content: ini },
    { path: "/etc/cron.d/nextcloud", content: renderNextcloudCron(nc) },
  ];
}

/** A script that only writes the files (no occ, apt or Apache): what tests run under PROVISION_ROOT. */
export function renderNextcloudFilesScript(input: NextcloudInput): string {
  return renderScript({
    summary: `Nextcloud "${input.instance}": write the configuration files only.`,
    requiredEnv: NEXTCLOUD_SECRET_ENV,
    files: nextcloudGuestFiles(input).map((file) => ({ ...file, onChange: undefined })),
  });
}

/** The full, idempotent provisioning script. Needs the variables in NEXTCLOUD_SECRET_ENV on the stdin prelude. */
export function renderNextcloudScript(input: NextcloudInput): string {
  const nc = resolveNextcloudInput(input);
  const q = shellQuote;
  const dbHost = `${nc.database.host}:${nc.database.port}`;
  const site = nextcloudApacheSiteName(nc.instance);
  const setup = `nc_dir=${q(nc.installDirectory)}
data_dir=${q(nc.dataDirectory)}
want_dbhost=${q(dbHost)}
reload_apache=0
occ() { runuser -u www-data -- php --define apc.enable_cli=1 "$nc_dir/occ" --no-interaction "$@"; }
${renderAptInstall(["php-apcu", "php-redis", "php-mysql"])}
${renderTurnkeyFenceDown()}`;
  const body = `# Data directory on the ZFS mount: Nextcloud wants it owned by www-data and not world-readable.
if [ ! -d "$data_dir" ]; then install -d -o www-data -g www-data -m 0750 "$data_dir"; fi
if [ "$(stat -c %U:%G "$data_dir")" != www-data:www-data ]; then chown www-data:www-data "$data_dir"; fi
if [ "$(stat -c %a "$data_dir")" != 750 ]; then chmod 0750 "$data_dir"; fi

# shellcheck disable=SC2016
installed="$(occ status --output=json 2>/dev/null | php -r '$s = json_decode(stream_get_contents(STDIN), true); echo (is_array($s) && !empty($s["installed"])) ? "yes" : "no";')"
if [ "$installed" = yes ]; then
  current_dbhost="$(occ config:system:get dbhost 2>/dev/null || true)"
  if [ "$current_dbhost" != "$want_dbhost" ]; then
    case "$current_dbhost" in
      ''|localhost|localhost:*|127.0.0.1|127.0.0.1:*)
        # TurnKey's bundled install against the guest-local database: set it aside, install fresh below.
        if [ -e "$data_dir/.ocdata" ]; then
          echo "$data_dir already holds Nextcloud data; refusing to install over it" >&2
          exit 1
        fi
        install -m 0600 "$nc_dir/config/config.php" "/root/nextcloud-turnkey-config.php.$(date +%Y%m%d%H%M%S)"
        rm -f "$nc_dir/config/config.php"
        installed=no
        ;;
      *)
        echo "Nextcloud is installed against database $current_dbhost, not $want_dbhost: move it by hand" >&2
        exit 1
        ;;
    esac
  fi
fi
if [ "$installed" = no ]; then
  occ maintenance:install \\
    --database mysql \\
    --database-host "$want_dbhost" \\
    --database-name ${q(nc.database.name)} \\
    --database-user ${q(nc.database.user)} \\
    --database-pass "$NEXTCLOUD_DB_PASSWORD" \\
    --admin-user ${q(nc.adminUser)} \\
    --admin-pass "$NEXTCLOUD_ADMIN_PASSWORD" \\
    --data-dir "$data_dir"
fi

# Follow a rotated database password (written only when it differs).
if [ "$(occ config:system:get dbpassword)" != "$NEXTCLOUD_DB_PASSWORD" ]; then
  occ config:system:set dbpassword --value="$NEXTCLOUD_DB_PASSWORD" >/dev/null
fi
if [ "$(occ config:app:get core backgroundjobs_mode 2>/dev/null || true)" != cron ]; then
  occ background:cron
fi

for module in ${NEXTCLOUD_APACHE_MODULES.join(" ")}; do
  if ! a2query -q -m "$module"; then a2enmod -q "$module"; reload_apache=1; fi
done
if ! a2query -q -s ${q(site)}; then a2ensite -q ${q(site)}; reload_apache=1; fi
if [ "$reload_apache" = 1 ]; then
  apache2ctl configtest
  systemctl reload apache2
fi
occ status`;
  return renderScript({
    summary: `Nextcloud "${nc.instance}" (${nc.hostname}): central MariaDB, Redis, tunnel-facing Apache site.`,
    requiredEnv: NEXTCLOUD_SECRET_ENV,
    setup,
    files: nextcloudGuestFiles(nc),
    body,
  });
}
