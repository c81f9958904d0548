/**
 * The Docker Compose project of the Frappe/ERPNext guest, built as an object and written with the `yaml`
 * package. The database and Redis are external: no mariadb or redis service. The file holds no secret: the
 * Redis password is a `${FRAPPE_REDIS_PASSWORD}` reference that Compose fills from the project's `.env`
 * (mode 0600, written from a placeholder). Pure: no Pulumi import.
 */
import YAML from "yaml";
import { isIpAddress } from "../webapps/validate";
import { FrappeSiteInput, ResolvedFrappeSite, resolveFrappeSite } from "./inputs";

/** Variables the Frappe provisioning script needs in its stdin prelude. */
export const FRAPPE_ENV = {
  /** Redis ACL password of `redis.user`; only URL-safe characters `[A-Za-z0-9._~-]`. */
  redisPassword: "FRAPPE_REDIS_PASSWORD",
  /** Password of the MariaDB user named like the database (the data tier sets the same). */
  dbPassword: "FRAPPE_DB_PASSWORD",
  /** Password of the site's Administrator. */
  adminPassword: "FRAPPE_ADMIN_PASSWORD",
  /** Only with `registryLogin`: the registry password or token. */
  registryPassword: "FRAPPE_REGISTRY_PASSWORD",
} as const;

/** Long-running services, in start order. */
export const FRAPPE_SERVICES = [
  "backend",
  "websocket",
  "queue-short",
  "queue-long",
  "scheduler",
  "frontend",
] as const;

/** The one-shot service that writes `common_site_config.json` before the others start. */
export const FRAPPE_CONFIGURATOR = "configurator";

const benchDir = "/home/frappe/frappe-bench";
const sitesMount = `sites:${benchDir}/sites`;
const logsMount = `logs:${benchDir}/logs`;

/** A Compose service as we write it (a subset of the Compose specification). */
export interface ComposeService {
  image: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes: string[];
  depends_on?: Record<string, { condition: string }>;
  restart: string;
}

export interface ComposeDocument {
  services: Record<string, ComposeService>;
  volumes: Record<string, Record<string, never>>;
}

function hostInUrl(host: string): string {
  return isIpAddress(host) && host.includes(":") ? `[${host}]` : host;
}

/** A Redis URL whose password is a Compose interpolation, never the value. */
function redisUrl(site: ResolvedFrappeSite, db: number): string {
  const { redis } = site;
  return `redis://${redis.user}:\${${FRAPPE_ENV.redisPassword}:?set in .env}@${hostInUrl(redis.host)}:${redis.port}/${db}`;
}

/** Runs inside the configurator container; `$$` is Compose's escape for a literal `$`. */
const configuratorScript = [
  "set -e",
  "ls -1 apps > sites/apps.txt",
  'bench set-config -g db_host "$$DB_HOST"',
  'bench set-config -gp db_port "$$DB_PORT"',
  'bench set-config -g redis_cache "$$REDIS_CACHE"',
  'bench set-config -g redis_queue "$$REDIS_QUEUE"',
  'bench set-config -g redis_socketio "$$REDIS_SOCKETIO"',
  "bench set-config -gp socketio_port 9000",
].join("\n");

/** The Compose project as an object (what `renderFrappeCompose` writes). */
export function frappeComposeDocument(input: FrappeSiteInput): ComposeDocument {
  const site = resolveFrappeSite(input);
  const image = `${site.image.name}:${site.image.tag}`;
  const afterConfigurator = { [FRAPPE_CONFIGURATOR]: { condition: "service_completed_successfully" } };
  // No command means the image's own (gunicorn for the backend).
  const worker = (command?: string[]): ComposeService => ({
    image,
    ...(command ? { command } : {}),
    volumes: [sitesMount, logsMount],
    depends_on: afterConfigurator,
    restart: "unless-stopped",
  });
  return {
    services: {
      [FRAPPE_CONFIGURATOR]: {
        image,
        entrypoint: ["bash", "-c"],
        command: [configuratorScript],
        environment: {
          DB_HOST: site.database.host,
          DB_PORT: String(site.database.port),
          REDIS_CACHE: redisUrl(site, site.redis.cacheDb),
          REDIS_QUEUE: redisUrl(site, site.redis.queueDb),
          REDIS_SOCKETIO: redisUrl(site, site.redis.queueDb),
        },
        volumes: [sitesMount, logsMount],
        restart: "no",
      },
      backend: worker(),
      websocket: worker(["node", `${benchDir}/apps/frappe/socketio.js`]),
      "queue-short": worker(["bench", "worker", "--queue", "short,default"]),
      "queue-long": worker(["bench", "worker", "--queue", "long,default,short"]),
      scheduler: worker(["bench", "schedule"]),
      frontend: {
        image,
        command: ["nginx-entrypoint.sh"],
        environment: {
          BACKEND: "backend:8000",
          SOCKETIO: "websocket:9000",
          FRAPPE_SITE_NAME_HEADER: site.siteName,
          UPSTREAM_REAL_IP_ADDRESS: site.trustedProxy,
          UPSTREAM_REAL_IP_HEADER: site.realIpHeader,
          UPSTREAM_REAL_IP_RECURSIVE: "off",
          PROXY_READ_TIMEOUT: String(site.proxyReadTimeoutSeconds),
          CLIENT_MAX_BODY_SIZE: `${site.clientMaxBodySizeMb}m`,
        },
        ports: [`${hostInUrl(site.bindAddress)}:${site.httpPort}:8080`],
        volumes: [sitesMount, logsMount],
        depends_on: {
          backend: { condition: "service_started" },
          websocket: { condition: "service_started" },
        },
        restart: "unless-stopped",
      },
    },
    volumes: { sites: {}, logs: {} },
  };
}

/** `compose.yaml` text. YAML 1.1 output, so `no` and `8080:8080` come out quoted the way Compose reads them. */
export function renderFrappeCompose(input: FrappeSiteInput): string {
  return YAML.stringify(frappeComposeDocument(input), {
    version: "1.1",
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
}

/** The project's `.env` (install with mode 0600): the placeholder is filled from the prelude at run time. */
export function renderFrappeEnvFile(): string {
  return `${FRAPPE_ENV.redisPassword}=@@${FRAPPE_ENV.redisPassword}@@\n`;
}
