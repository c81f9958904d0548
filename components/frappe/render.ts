/**
 * The provisioning script of the Frappe/ERPNext guest and the facts other tiers need from it (database
 * grants, tunnel origin). Pure: no Pulumi import.
 *
 * Site creation uses `bench new-site --no-setup-db`: Frappe v15 then only bootstraps the schema into a
 * database and user the data tier created beforehand, so Frappe never holds a MariaDB root or GRANT-capable
 * login. The user is named like the database because v15's `db_user` defaults to `db_name`.
 */
import { GuestFile, renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { renderAptInstall } from "../proxmox/apt";
import { renderSecretCheck } from "../proxmox/secret-checks";
import {
  FRAPPE_CONFIGURATOR,
  FRAPPE_ENV,
  FRAPPE_SERVICES,
  renderFrappeCompose,
  renderFrappeEnvFile,
} from "./compose";
import { FrappeSiteInput, resolveFrappeSite } from "./inputs";

/** What the data tier must create on the MariaDB primary for this Frappe site. */
export interface FrappeDatabaseRequirements {
  /** Database to create with `characterSet`/`collation`. */
  database: string;
  /** MariaDB user, same name as the database (Frappe v15's default `db_user`). */
  user: string;
  /** Host part of the account: the Frappe guest's address (Docker masquerades container traffic to it). */
  clientHost: string;
  /** Privileges on `database`.* only: what `bench new-site` would grant itself with a root login. */
  privileges: "ALL PRIVILEGES";
  characterSet: "utf8mb4";
  collation: "utf8mb4_unicode_ci";
  /** Server settings Frappe expects (its docs' my.cnf): the data tier's MariaDB config should carry them. */
  serverSettings: { "character-set-server": "utf8mb4"; "collation-server": "utf8mb4_unicode_ci" };
  /** Prelude variable holding the user's password, shared by the data tier and this script. */
  passwordEnv: typeof FRAPPE_ENV.dbPassword;
}

/** The grants the data tier creates for the site (see `FrappeDatabaseRequirements`). */
export function frappeDatabaseRequirements(input: FrappeSiteInput): FrappeDatabaseRequirements {
  const site = resolveFrappeSite(input);
  return {
    database: site.database.name,
    user: site.database.name,
    clientHost: site.bindAddress,
    privileges: "ALL PRIVILEGES",
    characterSet: "utf8mb4",
    collation: "utf8mb4_unicode_ci",
    serverSettings: { "character-set-server": "utf8mb4", "collation-server": "utf8mb4_unicode_ci" },
    passwordEnv: FRAPPE_ENV.dbPassword,
  };
}

/** Where the tunnel sends the site's hostname: the published nginx frontend of the Frappe image. */
export function frappeOrigin(input: FrappeSiteInput): { hostname: string; service: string } {
  const site = resolveFrappeSite(input);
  const host = site.bindAddress.includes(":") ? `[${site.bindAddress}]` : site.bindAddress;
  return { hostname: site.siteName, service: `http://${host}:${site.httpPort}` };
}

/** Names of the prelude variables the Frappe script needs for this input. */
export function frappeScriptEnv(input: FrappeSiteInput): string[] {
  const site = resolveFrappeSite(input);
  const names: string[] = [FRAPPE_ENV.redisPassword, FRAPPE_ENV.dbPassword, FRAPPE_ENV.adminPassword];
  if (site.registryLogin) names.push(FRAPPE_ENV.registryPassword);
  return names.sort();
}

/** The files the script writes: compose.yaml (no secret) and .env (0600, the Redis password from the prelude). */
export function frappeFiles(input: FrappeSiteInput): GuestFile[] {
  const dir = resolveFrappeSite(input).projectDir;
  return [
    {
      path: `${dir}/compose.yaml`,
      content: renderFrappeCompose(input),
      mode: "0644",
      onChange: "compose_changed=1",
    },
    { path: `${dir}/.env`, content: renderFrappeEnvFile(), mode: "0600", onChange: "env_changed=1" },
  ];
}

/**
 * Idempotent script for the Frappe guest: Docker from Ubuntu's archive, the Compose project, the site (created
 * once), the missing apps, the scheduler, and `bench migrate` when the image changed.
 */
export function renderFrappeScript(input: FrappeSiteInput): string {
  const site = resolveFrappeSite(input);
  const dir = site.projectDir;
  const image = `${site.image.name}:${site.image.tag}`;
  const expectedRunning = [...FRAPPE_SERVICES].sort().join(" ");
  const setup = [
    renderSecretCheck(FRAPPE_ENV.redisPassword, "url-safe"),
    renderSecretCheck(FRAPPE_ENV.dbPassword, "single-line"),
    renderSecretCheck(FRAPPE_ENV.adminPassword, "single-line"),
    ...(site.registryLogin ? [renderSecretCheck(FRAPPE_ENV.registryPassword, "single-line")] : []),
    "# Docker and Compose v2 from Ubuntu's archive (kept current there by Ubuntu's Docker SRU policy).",
    renderAptInstall(["docker.io", "docker-compose-v2"]),
    "systemctl is-active --quiet docker || systemctl enable --now docker",
    "docker compose version >/dev/null",
    `install -d -m 0750 ${shellQuote(dir)}`,
    "compose_changed=0",
    "env_changed=0",
  ].join("\n");
  const compose = `compose=(docker compose --project-directory ${shellQuote(dir)} -f ${shellQuote(`${dir}/compose.yaml`)})`;
  const login = site.registryLogin
    ? [
        `  printf '%s' "$${FRAPPE_ENV.registryPassword}" | docker login ${shellQuote(site.registryLogin.server)} \\`,
        `    --username ${shellQuote(site.registryLogin.username)} --password-stdin >/dev/null`,
        `  docker pull --quiet ${shellQuote(image)} >/dev/null`,
      ]
    : [];
  const apps = site.apps.map(shellQuote).join(" ");
  const body = [
    compose,
    'frappe_bench() { "${compose[@]}" exec -T backend bench "$@"; }',
    `site=${shellQuote(site.siteName)}`,
    `image=${shellQuote(image)}`,
    `image_stamp=${shellQuote(`${dir}/.deployed-image`)}`,
    ...(login.length > 0 ? ['if ! docker image inspect "$image" >/dev/null 2>&1; then', ...login, "fi"] : []),
    "# Start or update the project only when its files changed or a service is not running.",
    'had_containers="$("${compose[@]}" ps --all --quiet | wc -l)"',
    `running="$("\${compose[@]}" ps --status running --services | sort | tr '\\n' ' ' | sed 's/ $//')"`,
    `if [ "$compose_changed$env_changed" != "00" ] || [ "$running" != ${shellQuote(expectedRunning)} ]; then`,
    '  "${compose[@]}" up --detach --remove-orphans --quiet-pull',
    "fi",
    "# New Redis credentials reach the running processes only through a restart.",
    'if [ "$env_changed" = 1 ] && [ "$had_containers" -gt 0 ]; then',
    `  "\${compose[@]}" restart ${FRAPPE_SERVICES.join(" ")}`,
    "fi",
    "# The site: created once, against the database and user the data tier made (no DB root login here).",
    'if "${compose[@]}" exec -T backend test -f "sites/$site/site_config.json"; then',
    "  site_existed=1",
    "else",
    "  site_existed=0",
    "  # shellcheck disable=SC2016 # the single-quoted script is expanded by bash inside the container",
    `  printf '%s\\n%s\\n' "$${FRAPPE_ENV.dbPassword}" "$${FRAPPE_ENV.adminPassword}" |`,
    '    "${compose[@]}" exec -T backend bash -c \'IFS= read -r db_password && IFS= read -r admin_password &&',
    '      exec bench new-site "$1" --db-name "$2" --db-password "$db_password" --no-setup-db \\',
    `        --admin-password "$admin_password" --set-default' new-site "$site" ${shellQuote(site.database.name)}`,
    "fi",
    'if ! installed_apps="$(frappe_bench --site "$site" list-apps)"; then',
    '  echo "site $site exists but does not answer (half-created?): inspect it, this script will not drop it" >&2',
    "  exit 1",
    "fi",
    'if [ "$site_existed" = 1 ] && [ "$(cat "$image_stamp" 2>/dev/null || true)" != "$image" ]; then',
    '  frappe_bench --site "$site" migrate',
    "fi",
    `for app in ${apps}; do`,
    `  if ! awk 'NF {print $1}' <<<"$installed_apps" | grep -qxF "$app"; then`,
    '    frappe_bench --site "$site" install-app "$app"',
    "  fi",
    "done",
    'if ! frappe_bench --site "$site" scheduler status | grep -q "Scheduler is enabled"; then',
    '  frappe_bench --site "$site" enable-scheduler',
    "fi",
    `if [ "$(cat "$image_stamp" 2>/dev/null || true)" != "$image" ]; then`,
    '  printf \'%s\\n\' "$image" >"$image_stamp"',
    "fi",
  ].join("\n");
  return renderScript({
    summary: `Frappe/ERPNext site ${site.siteName} in Docker, on the external MariaDB and Redis.`,
    requiredEnv: frappeScriptEnv(input),
    setup,
    files: frappeFiles(input),
    body,
  });
}

export { FRAPPE_CONFIGURATOR, FRAPPE_ENV, FRAPPE_SERVICES, renderFrappeCompose };
