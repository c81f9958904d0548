/**
 * The Frappe/ERPNext tier's compose project and provisioning script. The compose file is parsed with `yaml`
 * and checked by the real `docker-compose config` (Debian's 1.29.2: validates the file and fills ${VAR} from
 * the .env the script writes; the docker compose v2 plugin is not packaged for Debian 12).
 */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import YAML from "yaml";
import {
  ComposeDocument,
  FRAPPE_ENV,
  FRAPPE_SERVICES,
  frappeComposeDocument,
} from "../../components/frappe/compose";
import { FrappeSiteInput } from "../../components/frappe/inputs";
import {
  frappeDatabaseRequirements,
  frappeFiles,
  frappeOrigin,
  frappeScriptEnv,
  renderFrappeCompose,
  renderFrappeScript,
} from "../../components/frappe/render";
import { renderScript } from "../../components/proxmox/script";
import { findProgram, run, scratchDir } from "../live/support/daemon";
import { expectCleanShell } from "../live/support/shell";

const prod: FrappeSiteInput = {
  siteName: "erp.bowbo.co.id",
  image: { name: "ghcr.io/bowbo/erpnext-custom", tag: "v15.60.1" },
  apps: ["erpnext", "payments", "hrms", "wiki", "helpdesk", "print_designer"],
  database: { host: "192.168.0.10", name: "frappe_bowbo" },
  redis: { host: "192.168.0.12", user: "frappe" },
  bindAddress: "192.168.0.50",
  trustedProxy: "192.168.0.30",
};

/** A random URL-safe secret made for this run only. */
function secret(): string {
  return randomBytes(18).toString("base64url");
}

describe("compose file", () => {
  const text = renderFrappeCompose(prod);
  const doc = YAML.parse(text) as ComposeDocument;

  test("has the Frappe services and no database or Redis of its own", () => {
    expect(Object.keys(doc.services).sort()).toEqual(["configurator", ...FRAPPE_SERVICES].sort());
    for (const [name, service] of Object.entries(doc.services)) {
      expect(name).not.toMatch(/maria|mysql|redis|db/i);
      expect(service.image).toBe("ghcr.io/bowbo/erpnext-custom:v15.60.1");
    }
  });

  test("points at the external MariaDB and Redis from the input", () => {
    const env = doc.services.configurator.environment ?? {};
    expect(env.DB_HOST).toBe("192.168.0.10");
    expect(env.DB_PORT).toBe("3306");
    for (const [key, db] of [
      ["REDIS_CACHE", "1"],
      ["REDIS_QUEUE", "2"],
      ["REDIS_SOCKETIO", "2"],
    ]) {
      const url = new URL(env[key].replace(/\$\{[^}]+\}/, "PASSWORD"));
      expect([url.protocol, url.hostname, url.port, url.pathname, url.username]).toEqual([
        "redis:",
        "192.168.0.12",
        "6379",
        `/${db}`,
        "frappe",
      ]);
      expect(env[key]).toContain(`\${${FRAPPE_ENV.redisPassword}:?`);
    }
    const script = doc.services.configurator.command?.[0] ?? "";
    for (const key of ["db_host", "db_port", "redis_cache", "redis_queue", "redis_socketio"]) {
      expect(script).toMatch(new RegExp(`bench set-config -gp? ${key} `));
    }
  });

  test("holds no secret: the only interpolation is the Redis password reference", () => {
    const references = [...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]);
    expect(new Set(references)).toEqual(new Set([FRAPPE_ENV.redisPassword]));
    expect(text).not.toMatch(/@@|^\s*[a-z_]*password[a-z_]*:/im);
  });

  test("starts everything after the configurator and publishes nginx on the guest", () => {
    for (const name of FRAPPE_SERVICES.filter((s) => s !== "frontend")) {
      expect(doc.services[name].depends_on).toEqual({
        configurator: { condition: "service_completed_successfully" },
      });
      expect(doc.services[name].restart).toBe("unless-stopped");
    }
    expect(doc.services.configurator.restart).toBe("no");
    expect(doc.services.backend.command).toBeUndefined();
    expect(doc.services.frontend.ports).toEqual(["192.168.0.50:8080:8080"]);
    expect(doc.services.frontend.environment).toMatchObject({
      FRAPPE_SITE_NAME_HEADER: "erp.bowbo.co.id",
      UPSTREAM_REAL_IP_ADDRESS: "192.168.0.30",
      UPSTREAM_REAL_IP_HEADER: "CF-Connecting-IP",
    });
    expect(text).toMatch(/restart: "no"/);
  });

  test("property: any valid endpoints end up in the file, and never a secret", () => {
    const octet = fc.integer({ min: 1, max: 254 });
    const ip = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
    fc.assert(
      fc.property(
        ip,
        fc.integer({ min: 1, max: 65535 }),
        ip,
        fc.integer({ min: 1, max: 65535 }),
        fc.stringMatching(/^[a-z_]{1,20}$/),
        (dbHost, dbPort, redisHost, redisPort, dbName) => {
          const input = {
            ...prod,
            database: { host: dbHost, port: dbPort, name: dbName },
            redis: { host: redisHost, port: redisPort, user: "frappe" },
          };
          const d = frappeComposeDocument(input);
          const env = d.services.configurator.environment ?? {};
          expect([env.DB_HOST, env.DB_PORT]).toEqual([dbHost, String(dbPort)]);
          expect(env.REDIS_QUEUE).toContain(`@${redisHost}:${redisPort}/`);
          expect(renderFrappeCompose(input)).not.toContain("@@");
        },
      ),
      { numRuns: 50 },
    );
  });

  test("bad input is reported all at once, with the key", () => {
    expect(() =>
      renderFrappeCompose({
        ...prod,
        siteName: "Not A Name",
        apps: ["erpnext", "frappe", "erpnext"],
        bindAddress: "192.168.0",
        redis: { ...prod.redis, cacheDb: 2 },
      }),
    ).toThrow(
      /frappe.siteName[\s\S]*frappe.bindAddress[\s\S]*frappe is always installed[\s\S]*listed twice[\s\S]*cacheDb and queueDb/,
    );
  });
});

describe("compose file and .env as the script writes them", () => {
  const dir = scratchDir("frappe-files");
  const password = secret();
  const writeFiles = renderScript({
    summary: "test",
    setup: "compose_changed=0\nenv_changed=0",
    files: frappeFiles(prod),
    body: 'echo "changed=$compose_changed$env_changed"',
  });
  const project = join(dir.path, "opt/frappe");
  const write = () =>
    run("bash", ["-c", writeFiles], undefined, {
      PROVISION_ROOT: dir.path,
      [FRAPPE_ENV.redisPassword]: password,
    });
  let first = "";
  beforeAll(() => {
    first = write().stdout;
  });
  afterAll(() => dir.remove());

  test("the .env is 0600 and holds the password; compose.yaml does not", () => {
    expect(first).toContain("changed=11");
    expect(statSync(join(project, ".env")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(project, ".env"), "utf8")).toBe(`${FRAPPE_ENV.redisPassword}=${password}\n`);
    expect(readFileSync(join(project, "compose.yaml"), "utf8")).not.toContain(password);
  });

  test("a second run changes nothing", () => {
    expect(write().stdout).toContain("changed=00");
  });

  test("docker-compose config accepts them and fills the Redis URLs from .env", () => {
    const composeBin = findProgram("docker-compose");
    const result = run(composeBin, [
      "--project-directory",
      project,
      "-f",
      join(project, "compose.yaml"),
      "config",
    ]);
    expect(result.status).toBe(0);
    const resolved = YAML.parse(result.stdout) as ComposeDocument;
    expect(resolved.services.configurator.environment?.REDIS_CACHE).toBe(
      `redis://frappe:${password}@192.168.0.12:6379/1`,
    );
    expect(Object.keys(resolved.services).sort()).toEqual(["configurator", ...FRAPPE_SERVICES].sort());
  });

  test("without the .env the password reference makes compose refuse to start", () => {
    const lonely = scratchDir("frappe-noenv");
    try {
      writeFileSync(join(lonely.path, "compose.yaml"), renderFrappeCompose(prod));
      const result = run(findProgram("docker-compose"), [
        "--project-directory",
        lonely.path,
        "-f",
        join(lonely.path, "compose.yaml"),
        "config",
      ]);
      expect(result.status).not.toBe(0);
      expect(result.output).toContain(FRAPPE_ENV.redisPassword);
    } finally {
      lonely.remove();
    }
  });
});

describe("provisioning script", () => {
  const script = renderFrappeScript({ ...prod, registryLogin: { server: "ghcr.io", username: "bowbo-bot" } });

  test("is valid bash and shellcheck-clean", () => expectCleanShell(script));

  test("asks the prelude for every secret and holds none", () => {
    expect(frappeScriptEnv(prod)).toEqual([
      FRAPPE_ENV.adminPassword,
      FRAPPE_ENV.dbPassword,
      FRAPPE_ENV.redisPassword,
    ]);
    for (const name of Object.values(FRAPPE_ENV)) expect(script).toContain(`: "\${${name}:?`);
  });

  test("creates the site without a DB root login, once, then installs only missing apps", () => {
    expect(script).toContain("--no-setup-db");
    expect(script).not.toMatch(/--db-root|--mariadb-root|root_password/);
    expect(script).toMatch(/test -f "sites\/\$site\/site_config.json"/);
    expect(script).toContain("for app in 'erpnext' 'payments' 'hrms' 'wiki' 'helpdesk' 'print_designer'; do");
    expect(script).toMatch(/grep -qxF "\$app"[\s\S]*install-app "\$app"/);
    expect(script).toContain("enable-scheduler");
  });

  test("the secret checks stop a bad Redis password before anything runs", () => {
    const checks = script
      .split("\n")
      .slice(
        0,
        script.split("\n").findIndex((l) => l.startsWith("missing_packages")),
      )
      .join("\n");
    const env = {
      [FRAPPE_ENV.dbPassword]: secret(),
      [FRAPPE_ENV.adminPassword]: secret(),
      [FRAPPE_ENV.registryPassword]: secret(),
    };
    expect(
      run("bash", ["-c", checks], undefined, { ...env, [FRAPPE_ENV.redisPassword]: secret() }).status,
    ).toBe(0);
    const bad = run("bash", ["-c", checks], undefined, {
      ...env,
      [FRAPPE_ENV.redisPassword]: `${secret()}@x`,
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("may only hold");
  });
});

test("the data tier's grants and the tunnel origin follow the input", () => {
  expect(frappeDatabaseRequirements(prod)).toMatchObject({
    database: "frappe_bowbo",
    user: "frappe_bowbo",
    clientHost: "192.168.0.50",
    privileges: "ALL PRIVILEGES",
    characterSet: "utf8mb4",
    collation: "utf8mb4_unicode_ci",
    passwordEnv: FRAPPE_ENV.dbPassword,
  });
  expect(frappeOrigin({ ...prod, httpPort: 80 })).toEqual({
    hostname: "erp.bowbo.co.id",
    service: "http://192.168.0.50:80",
  });
});
