import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import {
  renderInstallStatePhp,
  renderInstallWrapperPhp,
  renderMucSetupPhp,
} from "../../components/moodle/cli";
import { MoodleConfigInput, renderMoodleConfigPhp } from "../../components/moodle/config-php";
import { renderHealthPage } from "../../components/moodle/health";
import {
  defaultMoodleLayout as layout,
  moodleDocumentRoot,
  resolveLayout,
  sharedMarkerFile,
} from "../../components/moodle/layout";
import { renderNginxSite } from "../../components/moodle/nginx";
import { phpFpmPoolSizing, renderPhpFpmPool, renderPhpIni } from "../../components/moodle/php-fpm";
import { findProgram, run, scratchDir } from "../live/support/daemon";
import { fillSecrets } from "../live/support/fill-secrets";

let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = scratchDir("moodle-node");
});
afterAll(() => dir.remove());

function write(name: string, content: string): string {
  const path = join(dir.path, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** A secret with every character that could break PHP or shell quoting. */
function nastySecret(): string {
  return `${randomBytes(6).toString("hex")}'"\\$x{}\`;#&`;
}

const configInput: MoodleConfigInput = {
  wwwroot: "https://lms.school.example",
  database: { host: "10.10.0.10", name: "moodle", user: "moodle", readReplicas: ["10.10.0.11"] },
  redis: { host: "10.10.0.12" },
  layout,
};

describe("nginx site", () => {
  const site = renderNginxSite({
    serverName: "lms.school.example",
    trustedProxies: ["10.10.0.21", "10.10.0.22", "10.10.0.20", "127.0.0.1"],
    layout,
  });

  test("nginx -t accepts it inside a main config", () => {
    const sitePath = write("nginx/site.conf", site);
    const main = write(
      "nginx/nginx.conf",
      `pid ${dir.path}/nginx/nginx.pid;\nerror_log ${dir.path}/nginx/error.log;\nevents {}\nhttp {\n  include /etc/nginx/mime.types;\n  include ${sitePath};\n}\n`,
    );
    const result = run(findProgram("nginx"), ["-t", "-c", main]);
    expect(result.output).toContain("test is successful");
  });

  test("PHP with slash arguments, real IP from the balancers only, dataroot internal", () => {
    expect(site).toContain("location ~ [^/]\\.php(/|$) {");
    expect(site).toContain("fastcgi_split_path_info ^(.+?\\.php)(/.*)$;");
    expect(site).toContain("fastcgi_param PATH_INFO $fastcgi_path_info;");
    expect(site).toContain("fastcgi_pass unix:/run/php/php8.2-fpm-moodle.sock;");
    expect(site).toContain("real_ip_header X-Forwarded-For;");
    expect(site.match(/set_real_ip_from/g)).toHaveLength(4);
    expect(site).toMatch(/location \^~ \/dataroot\/ {\n\s+internal;\n\s+alias \/var\/moodledata\/;/);
    expect(site).toContain("root /var/www/moodle;");
  });

  test("Moodle 5.1 and later serve the public/ directory", () => {
    expect(moodleDocumentRoot("/var/www/moodle", "MOODLE_405_STABLE")).toBe("/var/www/moodle");
    expect(moodleDocumentRoot("/var/www/moodle", "MOODLE_501_STABLE")).toBe("/var/www/moodle/public");
  });

  test("a health path that would shadow a Moodle script is refused", () => {
    expect(() =>
      renderNginxSite({
        serverName: "lms.school.example",
        trustedProxies: ["10.0.0.1"],
        healthUri: "/login/index.php",
        layout,
      }),
    ).toThrow(/moodle\.nginx\.healthUri/);
  });
});

describe("php-fpm pool and PHP ini", () => {
  test("php-fpm -t accepts the pool", () => {
    const testLayout = resolveLayout({ fpmSocketPath: join(dir.path, "fpm", "fpm.sock") });
    const pool = write(
      "fpm/pool.conf",
      renderPhpFpmPool({ sizing: phpFpmPoolSizing({ memoryMb: 16384 }), layout: testLayout }),
    );
    const main = write(
      "fpm/php-fpm.conf",
      `[global]\npid = ${dir.path}/fpm/fpm.pid\nerror_log = ${dir.path}/fpm/fpm.log\ninclude = ${pool}\n`,
    );
    const result = run(findProgram("php-fpm8.2"), ["-t", "-y", main]);
    expect(result.output).toMatch(/test is successful/);
  });

  test("sizing always satisfies php-fpm's rules and fits the memory", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 256, max: 262144 }),
        fc.integer({ min: 0, max: 4096 }),
        fc.integer({ min: 16, max: 512 }),
        (memoryMb, reservedMb, perChildMb) => {
          const s = phpFpmPoolSizing({ memoryMb, reservedMb, perChildMb });
          expect(s.minSpareServers).toBeGreaterThanOrEqual(1);
          expect(s.minSpareServers).toBeLessThanOrEqual(s.startServers);
          expect(s.startServers).toBeLessThanOrEqual(s.maxSpareServers);
          expect(s.maxSpareServers).toBeLessThanOrEqual(s.maxChildren);
          expect(s.maxChildren).toBeGreaterThanOrEqual(2);
          if (s.maxChildren > 2)
            expect(s.maxChildren * perChildMb).toBeLessThanOrEqual(memoryMb - reservedMb);
          expect(() => renderPhpFpmPool({ sizing: s, layout })).not.toThrow();
        },
      ),
    );
  });

  test("PHP loads the ini with the values Moodle needs", () => {
    const ini = write("php/90-moodle.ini", renderPhpIni({ maxUploadMb: 200 }));
    const result = run(findProgram("php"), [
      "-n",
      "-c",
      ini,
      "-r",
      "echo json_encode([ini_get('max_input_vars'), ini_get('upload_max_filesize'), ini_get('post_max_size'), ini_get('memory_limit')]);",
    ]);
    expect(JSON.parse(result.stdout)).toEqual(["5000", "200M", "216M", "256M"]);
  });
});

describe("config.php", () => {
  test("php -l passes and PHP reads back exactly what was configured, secrets included", () => {
    const code = join(dir.path, "moodle");
    write("moodle/lib/setup.php", "<?php // stand-in for Moodle's setup\n");
    const dbPass = nastySecret();
    const redisPass = nastySecret();
    const text = renderMoodleConfigPhp(configInput);
    expect(text).not.toContain(dbPass);
    const path = write(
      "moodle/config.php",
      fillSecrets(text, { MOODLE_DB_PASSWORD: dbPass, MOODLE_REDIS_PASSWORD: redisPass }),
    );
    expect(run(findProgram("php"), ["-l", path]).output).toContain("No syntax errors");
    const result = run(findProgram("php"), ["-r", `require '${code}/config.php'; echo json_encode($CFG);`]);
    const cfg = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(cfg).toMatchObject({
      dbtype: "mariadb",
      dbhost: "10.10.0.10",
      dbpass: dbPass,
      wwwroot: "https://lms.school.example",
      sslproxy: true,
      reverseproxy: false,
      dataroot: "/var/moodledata",
      cachedir: "/var/moodledata/cache",
      tempdir: "/var/moodledata/temp",
      backuptempdir: "/var/moodledata/temp/backup",
      localcachedir: "/var/cache/moodle",
      session_handler_class: "\\core\\session\\redis",
      session_redis_host: "10.10.0.12",
      session_redis_auth: redisPass,
      session_redis_acquire_lock_timeout: 120,
      session_redis_lock_expire: 7200,
      admin: "admin",
      directorypermissions: 0o2770,
    });
    expect(cfg.dboptions).toMatchObject({ dbport: 3306, readonly: { instance: ["10.10.0.11"] } });
  });

  test("with an ACL user, session_redis_auth is the [user, password] pair phpredis' auth() takes", () => {
    const code = join(dir.path, "moodle-acl");
    write("moodle-acl/lib/setup.php", "<?php // stand-in for Moodle's setup\n");
    const redisPass = nastySecret();
    const text = renderMoodleConfigPhp({
      ...configInput,
      redis: { host: "10.10.0.12", user: "moodle", prefix: "moodle:sess:" },
    });
    const path = write(
      "moodle-acl/config.php",
      fillSecrets(text, { MOODLE_DB_PASSWORD: nastySecret(), MOODLE_REDIS_PASSWORD: redisPass }),
    );
    expect(run(findProgram("php"), ["-l", path]).output).toContain("No syntax errors");
    const result = run(findProgram("php"), ["-r", `require '${code}/config.php'; echo json_encode($CFG);`]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      session_redis_auth: ["moodle", redisPass],
      session_redis_prefix: "moodle:sess:",
    });
    expect(() =>
      renderMoodleConfigPhp({ ...configInput, redis: { host: "10.10.0.12", user: "default" } }),
    ).toThrow(/moodle\.config\.redis\.user/);
  });

  test("a node-local cache inside the shared dataroot is refused (when the layout is resolved)", () => {
    expect(() => resolveLayout({ localCacheDir: "/var/moodledata/localcache" })).toThrow(
      /moodle\.layout\.localCacheDir/,
    );
    expect(() => renderMoodleConfigPhp({ ...configInput, wwwroot: "http://lms.school.example/" })).toThrow(
      /wwwroot/,
    );
  });
});

describe("health page and CLI helpers", () => {
  test("the health page says ok only when the shared marker and config.php are there", () => {
    const hp = resolveLayout({ dataRoot: join(dir.path, "hp/data"), codeDir: join(dir.path, "hp/code") });
    const page = write("hp/health.php", renderHealthPage(hp));
    write("hp/code/config.php", "<?php\n");
    mkdirSync(hp.dataRoot, { recursive: true });
    expect(run(findProgram("php"), [page]).stdout).toBe("shared dataroot is not mounted\n");
    write(`hp/data/${sharedMarkerFile}`, "x\n");
    expect(run(findProgram("php"), [page]).stdout).toBe("ok\n");
  });

  test("every PHP helper passes php -l", () => {
    const helpers = {
      "state.php": renderInstallStatePhp(layout),
      "install.php": renderInstallWrapperPhp(layout),
      "muc.php": renderMucSetupPhp({ host: "10.10.0.12", layout }),
      "muc-acl.php": renderMucSetupPhp({ host: "10.10.0.12", user: "moodle", prefix: "moodle:muc:", layout }),
    };
    for (const [name, text] of Object.entries(helpers)) {
      expect(run(findProgram("php"), ["-l", write(`cli/${name}`, text)]).output).toContain(
        "No syntax errors",
      );
    }
  });
});
