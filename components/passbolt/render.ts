/**
 * The provisioning script of the Passbolt CE guest. Passbolt's supported install inside a plain LXC guest is its
 * Debian package (`passbolt-ce-server` from Passbolt's repository, one `buster stable` suite for every Debian and
 * Ubuntu release); Docker would need nesting and keyctl in the container, which an API token cannot set (see
 * FIELD-NOTES.md). The package is installed in its non-interactive "simple mode" (no local MariaDB, no nginx
 * site of its own), and we write passbolt.php and the nginx site. Pure: no Pulumi import.
 */
import { renderAptInstall } from "../proxmox/apt";
import { GuestFile, renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { PASSBOLT_CONFIG_DIR, renderPassboltConfigPhp } from "./config";
import { PASSBOLT_NGINX_SITE, renderPassboltNginxSite } from "./nginx";
import { PASSBOLT_GNUPG_HOME, renderPassboltServerKeyStep } from "./serverkey";
import { PassboltInput, passboltSecretEnv, resolvePassboltInput } from "./types";

/** Fingerprint of Passbolt's package-signing key (download.passbolt.com/pub.key). */
export const PASSBOLT_REPOSITORY_KEY_FINGERPRINT = "3D1A0346C8E1802F774AEF21DE8B853FC155581D";

const keyring = "/usr/share/keyrings/passbolt-repository.gpg";

/** The apt source of Passbolt CE. */
export function renderPassboltAptSource(): string {
  return `# Rendered by proxmox-sites: Passbolt CE packages.
deb [signed-by=${keyring}] https://download.passbolt.com/ce/debian buster stable
`;
}

/** Every file the script writes; `onChange` only raises flags the script acts on. */
export function passboltGuestFiles(input: PassboltInput): GuestFile[] {
  const p = resolvePassboltInput(input);
  return [
    {
      path: "/etc/apt/sources.list.d/passbolt.list",
      content: renderPassboltAptSource(),
      onChange: "apt_changed=1",
    },
    {
      path: `${PASSBOLT_CONFIG_DIR}/passbolt.php`,
      content: renderPassboltConfigPhp(p),
      mode: "0640",
      owner: "www-data:www-data",
    },
    {
      path: `/etc/nginx/sites-available/${PASSBOLT_NGINX_SITE}`,
      content: renderPassboltNginxSite(p),
      onChange: "reload_nginx=1",
    },
  ];
}

/** A script that writes the files and the server key only (no apt, no cake): what tests run under PROVISION_ROOT. */
export function renderPassboltFilesScript(input: PassboltInput): string {
  return renderScript({
    summary: "Passbolt: write the configuration files and the server key only.",
    requiredEnv: passboltSecretEnv(input),
    files: passboltGuestFiles(input).map((file) => ({ ...file, onChange: undefined })),
    body: renderPassboltServerKeyStep(input),
  });
}

function renderRepositoryKey(): string {
  return `# Passbolt's signing key, checked against its published fingerprint before apt trusts it.
if [ ! -s ${keyring} ]; then
  armored_key="$(mktemp)"
  curl -fsSL https://download.passbolt.com/pub.key -o "$armored_key"
  key_fingerprint="$(gpg --batch --no-tty --with-colons --show-keys "$armored_key" | awk -F: '$1 == "fpr" && !found { print $10; found = 1 }')"
  if [ "$key_fingerprint" != ${PASSBOLT_REPOSITORY_KEY_FINGERPRINT} ]; then
    echo "download.passbolt.com/pub.key has fingerprint $key_fingerprint, expected ${PASSBOLT_REPOSITORY_KEY_FINGERPRINT}" >&2
    exit 1
  fi
  gpg --batch --no-tty --dearmor -o ${keyring} "$armored_key"
  chmod 0644 ${keyring}
  rm -f "$armored_key"
fi`;
}

/** The full, idempotent provisioning script; the prelude exports `passboltSecretEnv(input)`. */
export function renderPassboltScript(input: PassboltInput): string {
  const p = resolvePassboltInput(input);
  const q = shellQuote;
  const fpm = `php${p.phpVersion}-fpm`;
  const installArgs = p.admin
    ? `--admin-username ${q(p.admin.email)} --admin-first-name ${q(p.admin.firstName)} --admin-last-name ${q(p.admin.lastName)}`
    : "--no-admin";
  const setup = `apt_changed=0
reload_nginx=0
${renderAptInstall(["ca-certificates", "curl", "gnupg"])}
${renderRepositoryKey()}`;
  const body = `export DEBIAN_FRONTEND=noninteractive
if ! dpkg-query -W -f='\${Status}' passbolt-ce-server 2>/dev/null | grep -q "install ok installed"; then
  # Simple mode: no local MariaDB and no package-made nginx site (we bring both answers and the site).
  printf '%s\\n' 'passbolt-ce-server passbolt/mysql-configuration boolean false' \\
    'passbolt-ce-server passbolt/nginx-configuration boolean false' | debconf-set-selections
  apt_changed=1
fi
if [ "$apt_changed" = 1 ]; then apt-get update -qq; fi
${renderAptInstall(["passbolt-ce-server", "nginx", fpm, "php-cli"])}

${renderPassboltServerKeyStep(p)}

# JSON Web Token keys (mobile apps, browser extension sign-in).
if [ ! -s ${PASSBOLT_CONFIG_DIR}/jwt/jwt.key ]; then
  # www-data writes the keys, then may only read them (as the Passbolt Docker image leaves them).
  install -d -o root -g www-data -m 0770 ${PASSBOLT_CONFIG_DIR}/jwt
  runuser -u www-data -- /usr/share/php/passbolt/bin/cake passbolt create_jwt_keys
  chown root:www-data ${PASSBOLT_CONFIG_DIR}/jwt/jwt.key ${PASSBOLT_CONFIG_DIR}/jwt/jwt.pem
  chmod 0640 ${PASSBOLT_CONFIG_DIR}/jwt/jwt.key ${PASSBOLT_CONFIG_DIR}/jwt/jwt.pem
  chmod 0750 ${PASSBOLT_CONFIG_DIR}/jwt
fi

cake() { runuser -u www-data -- env GNUPGHOME=${q(PASSBOLT_GNUPG_HOME)} /usr/share/php/passbolt/bin/cake "$@"; }
# Installed already? (the schema is in the central database, so a rebuilt guest only migrates)
# shellcheck disable=SC2016
has_schema="$(PB_DSN=${q(`mysql:host=${p.database.host};port=${p.database.port};dbname=${p.database.name}`)} PB_USER=${q(p.database.user)} php -r '
  $pdo = new PDO(getenv("PB_DSN"), getenv("PB_USER"), getenv("PASSBOLT_DB_PASSWORD"));
  echo $pdo->query("SHOW TABLES LIKE " . $pdo->quote("users"))->fetchColumn() === false ? "no" : "yes";')"
if [ "$has_schema" = no ]; then
  cake passbolt install ${installArgs}
else
  cake passbolt migrate
fi

if [ -L /etc/nginx/sites-enabled/default ]; then rm -f /etc/nginx/sites-enabled/default; reload_nginx=1; fi
if [ ! -L /etc/nginx/sites-enabled/${PASSBOLT_NGINX_SITE} ]; then
  ln -s ../sites-available/${PASSBOLT_NGINX_SITE} /etc/nginx/sites-enabled/${PASSBOLT_NGINX_SITE}
  reload_nginx=1
fi
for unit in ${fpm} nginx; do
  if ! systemctl is-enabled --quiet "$unit"; then systemctl enable "$unit"; fi
  if ! systemctl is-active --quiet "$unit"; then systemctl start "$unit"; fi
done
if [ "$reload_nginx" = 1 ]; then
  nginx -t
  systemctl reload nginx
fi

# Last: Passbolt's own verdict. Informative only; a warning here must not fail the deployment.
cake passbolt healthcheck || echo "passbolt healthcheck reported problems (see above)" >&2`;
  return renderScript({
    summary: `Passbolt CE (${p.hostname}): package, server key, central MariaDB, tunnel-facing nginx site.`,
    requiredEnv: passboltSecretEnv(p),
    setup,
    files: passboltGuestFiles(p),
    body,
  });
}
