/**
 * Live proof of the PHP applications' renderers (Nextcloud ×2, Snipe-IT, Passbolt) on real tools: bash,
 * shellcheck, php-cli, gpg, Apache, nginx and php-fpm. Loopback block 127.30.0.0/25: Apache on 127.30.0.11,
 * nginx on 127.30.0.12, test clients from 127.30.0.13/.14. Nothing leaves this machine.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderNextcloudApacheSite } from "../../components/nextcloud/apache";
import { nextcloudSettings, renderNextcloudConfigPhp } from "../../components/nextcloud/config";
import { renderNextcloudFilesScript, renderNextcloudScript } from "../../components/nextcloud/render";
import { renderPassboltNginxSite } from "../../components/passbolt/nginx";
import { renderPassboltFilesScript, renderPassboltScript } from "../../components/passbolt/render";
import { renderSnipeItEnv } from "../../components/snipeit/env";
import { renderSnipeItFilesScript, renderSnipeItScript } from "../../components/snipeit/render";
import {
  RunningDaemon,
  findProgram,
  run,
  scratchDir,
  startDaemon,
  stopAllDaemons,
  waitFor,
  waitForPort,
} from "./support/daemon";
import {
  get,
  loadDotenv,
  loadPhpConfig,
  phpLint,
  runScript,
  writeApacheConfig,
  writeFpmConfig,
  writeNginxConfig,
} from "./fixtures/php-apps/harness";
import {
  nextcloudInput,
  passboltInput,
  randomAppKey,
  randomSecret,
  snipeItInput,
} from "./fixtures/php-apps/inputs";

const fixtures = join(__dirname, "fixtures", "php-apps");
const APACHE_IP = "127.30.0.11";
const NGINX_IP = "127.30.0.12";
const TRUSTED_CLIENT_IP = "127.30.0.13";
const OTHER_CLIENT_IP = "127.30.0.14";
const HTTP_PORT = 18080;

const scratch = scratchDir("php-apps");
const daemons: RunningDaemon[] = [];

beforeAll(() => {
  // The scripts hand files to www-data (gpg, Apache and php-fpm workers): let it walk into the scratch directory.
  chmodSync(scratch.path, 0o755);
  for (const tool of ["bash", "shellcheck", "php", "gpg", "runuser", "apache2", "nginx", "php-fpm8.2"])
    findProgram(tool);
});

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  await stopAllDaemons();
  scratch.remove();
});

function dir(...parts: string[]): string {
  const path = join(scratch.path, ...parts);
  mkdirSync(path, { recursive: true });
  return path;
}

describe("every rendered script", () => {
  const scripts: [string, string][] = [
    ["nextcloud bowbo", renderNextcloudScript(nextcloudInput("bowbo"))],
    [
      "nextcloud maro",
      renderNextcloudScript(
        nextcloudInput("maro", {
          redis: { host: "192.168.0.12", port: 6379, dbIndex: 2, keyPrefix: "nc-maro:" },
        }),
      ),
    ],
    ["nextcloud files", renderNextcloudFilesScript(nextcloudInput("bowbo"))],
    ["snipe-it", renderSnipeItScript(snipeItInput())],
    [
      "snipe-it without admin and mail",
      renderSnipeItScript(snipeItInput({ admin: undefined, mail: undefined })),
    ],
    ["snipe-it files", renderSnipeItFilesScript(snipeItInput())],
    ["passbolt", renderPassboltScript(passboltInput())],
    [
      "passbolt without admin and mail",
      renderPassboltScript(passboltInput({ admin: undefined, mail: undefined })),
    ],
    ["passbolt files", renderPassboltFilesScript(passboltInput())],
  ];
  it.each(scripts)("%s passes bash -n and shellcheck", (_name, script) => {
    const file = join(dir("scripts"), `${_name.replace(/\W+/g, "-")}.sh`);
    writeFileSync(file, script);
    const syntax = run("bash", ["-n", file]);
    expect(syntax.output).toBe("");
    expect(syntax.status).toBe(0);
    const lint = run(findProgram("shellcheck"), ["--shell=bash", file]);
    expect(lint.output).toBe("");
    expect(lint.status).toBe(0);
  });
});

describe("Nextcloud files on php-cli", () => {
  const instances = ["bowbo", "maro"] as const;
  const secrets = {
    NEXTCLOUD_ADMIN_PASSWORD: randomSecret(),
    NEXTCLOUD_DB_PASSWORD: randomSecret(),
    NEXTCLOUD_REDIS_PASSWORD: randomSecret(),
  };

  it.each(instances)("%s: the script writes a config PHP loads to the settings we asked for", (instance) => {
    const root = dir("nextcloud", instance);
    const input = nextcloudInput(instance);
    const result = runScript(renderNextcloudFilesScript(input), secrets, root);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);

    const file = join(root, "var/www/nextcloud/config/proxmox-sites.config.php");
    expect(phpLint(file)).toBe(`0 No syntax errors detected in ${file}`);
    expect((statSync(file).mode & 0o777).toString(8)).toBe("640");
    const config = loadPhpConfig(file, "nextcloud");
    expect(config).toMatchObject({
      trusted_domains: [input.hostname, input.guestIp],
      "overwrite.cli.url": `https://${input.hostname}`,
      overwriteprotocol: "https",
      overwritehost: input.hostname,
      trusted_proxies: ["192.168.0.30"],
      "memcache.local": "\\OC\\Memcache\\APCu",
      "memcache.distributed": "\\OC\\Memcache\\Redis",
      "memcache.locking": "\\OC\\Memcache\\Redis",
      memcache_customprefix: input.redis.keyPrefix,
      redis: { host: "192.168.0.12", port: 6379, user: input.redis.user, dbindex: input.redis.dbIndex },
      logtimezone: "Asia/Jakarta",
      default_phone_region: "ID",
    });
    // The secret survives quoting byte for byte, whatever characters it holds.
    expect((config.redis as Record<string, unknown>).password).toBe(secrets.NEXTCLOUD_REDIS_PASSWORD);
    // Every key we render arrives; nothing else does.
    expect(Object.keys(config).sort()).toEqual(Object.keys(nextcloudSettings(input)).sort());
  });

  it("bowbo and maro end up with different Redis databases and key prefixes", () => {
    const [bowbo, maro] = instances.map((i) =>
      loadPhpConfig(
        join(scratch.path, "nextcloud", i, "var/www/nextcloud/config/proxmox-sites.config.php"),
        "nextcloud",
      ),
    );
    const redis = (c: Record<string, unknown>) => c.redis as Record<string, unknown>;
    expect(redis(bowbo).dbindex).not.toBe(redis(maro).dbindex);
    expect(bowbo.memcache_customprefix).not.toBe(maro.memcache_customprefix);
    expect(bowbo.overwritehost).not.toBe(maro.overwritehost);
  });

  it("the PHP settings load in php-cli and cron.d has a valid line", () => {
    const root = join(scratch.path, "nextcloud", "bowbo");
    const iniDir = join(root, "etc/php/8.2/cli/conf.d");
    const ini = run(
      findProgram("php"),
      [
        "-r",
        'echo ini_get("memory_limit"), " ", ini_get("upload_max_filesize"), " ", ini_get("date.timezone");',
      ],
      undefined,
      {
        PHP_INI_SCAN_DIR: iniDir,
      },
    );
    expect(ini.stdout).toBe("512M 16384M Asia/Jakarta");
    const cron = readFileSync(join(root, "etc/cron.d/nextcloud"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(cron).toEqual([
      "*/5 * * * * www-data /usr/bin/php -f /var/www/nextcloud/cron.php >/dev/null 2>&1",
    ]);
  });

  it("a second run rewrites nothing", () => {
    const root = join(scratch.path, "nextcloud", "bowbo");
    const file = join(root, "var/www/nextcloud/config/proxmox-sites.config.php");
    const before = statSync(file);
    const result = runScript(renderNextcloudFilesScript(nextcloudInput("bowbo")), secrets, root);
    expect(result.status).toBe(0);
    const after = statSync(file);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
  });

  it("the rendered text holds placeholders, never the secrets", () => {
    const text =
      renderNextcloudConfigPhp(nextcloudInput("bowbo")) + renderNextcloudScript(nextcloudInput("bowbo"));
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
    expect(text).toContain("@@NEXTCLOUD_REDIS_PASSWORD:php@@");
  });

  it("a Redis password with newlines, quotes, $ and backslashes reaches PHP byte for byte", () => {
    const root = dir("nextcloud", "newline");
    const password = "a\nb'c\"d$e\\f\nPROXMOX_SITES_SECRET;\n";
    const result = runScript(
      renderNextcloudFilesScript(nextcloudInput("bowbo")),
      { ...secrets, NEXTCLOUD_REDIS_PASSWORD: password },
      root,
    );
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
    const config = loadPhpConfig(
      join(root, "var/www/nextcloud/config/proxmox-sites.config.php"),
      "nextcloud",
    );
    expect((config.redis as Record<string, unknown>).password).toBe(password);
  });
});

describe("Nextcloud's Apache site on real Apache", () => {
  const docroot = dir("apache", "nextcloud");
  const input = nextcloudInput("bowbo", {
    installDirectory: docroot,
    httpPort: HTTP_PORT,
    guestIp: APACHE_IP,
  });

  beforeAll(async () => {
    writeFileSync(join(docroot, "status.html"), "nextcloud origin\n");
    const site = join(dir("apache", "sites"), "000-proxmox-sites-nextcloud-bowbo.conf");
    writeFileSync(site, renderNextcloudApacheSite(input));
    const conf = writeApacheConfig(dir("apache"), site, `${APACHE_IP}:${HTTP_PORT}`);
    const check = run(findProgram("apache2"), ["-t", "-f", conf]);
    expect(check.output).toContain("Syntax OK");
    daemons.push(startDaemon("apache2", findProgram("apache2"), ["-f", conf, "-DFOREGROUND"]));
    await waitForPort(APACHE_IP, HTTP_PORT, 15000);
  });

  it("serves the public host on plain HTTP without redirecting to https, with HSTS", async () => {
    const reply = await get(APACHE_IP, HTTP_PORT, "/status.html", { Host: input.hostname });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("nextcloud origin\n");
    expect(reply.headers.location).toBeUndefined();
    expect(reply.headers["strict-transport-security"]).toBe("max-age=15552000; includeSubDomains");
  });

  it("answers the guest's own address the same way (LAN checks)", async () => {
    const reply = await get(APACHE_IP, HTTP_PORT, "/status.html", { Host: APACHE_IP });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("nextcloud origin\n");
  });
});

describe("Snipe-IT .env on php-cli", () => {
  const secrets = {
    SNIPEIT_APP_KEY: randomAppKey(),
    SNIPEIT_DB_PASSWORD: randomSecret({ allowSingleQuote: false }),
    SNIPEIT_ADMIN_PASSWORD: randomSecret(),
    SNIPEIT_MAIL_PASSWORD: randomSecret({ allowSingleQuote: false }),
  };
  const input = snipeItInput();

  it("writes a .env that phpdotenv reads to the values we asked for, secrets byte for byte", () => {
    const root = dir("snipeit", "ok");
    const result = runScript(renderSnipeItFilesScript(input), secrets, root);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
    const envFile = join(root, "var/www/snipe-it/.env");
    expect((statSync(envFile).mode & 0o777).toString(8)).toBe("640");
    const env = loadDotenv(envFile);
    expect(env).toMatchObject({
      APP_URL: "https://assets.bowbo.example",
      APP_KEY: secrets.SNIPEIT_APP_KEY,
      APP_TRUSTED_PROXIES: "192.168.0.30",
      APP_FORCE_TLS: "true",
      SECURE_COOKIES: "true",
      DB_HOST: "192.168.0.10",
      DB_PORT: "3306",
      DB_DATABASE: "snipeit",
      DB_USERNAME: "snipeit",
      DB_PASSWORD: secrets.SNIPEIT_DB_PASSWORD,
      MAIL_PASSWORD: secrets.SNIPEIT_MAIL_PASSWORD,
      APP_TIMEZONE: "Asia/Jakarta",
      SESSION_DRIVER: "file",
      CACHE_DRIVER: "file",
    });
    const helper = join(root, "usr/local/lib/proxmox-sites/snipeit-first-run.php");
    expect(phpLint(helper)).toBe(`0 No syntax errors detected in ${helper}`);
    // The administrator's password is read from the environment, never written anywhere.
    expect(run("grep", ["-rlF", secrets.SNIPEIT_ADMIN_PASSWORD, root]).stdout).toBe("");
  });

  it("the rendered .env and script hold placeholders, never the secrets", () => {
    const text = renderSnipeItEnv(input) + renderSnipeItScript(input);
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
    expect(renderSnipeItEnv(input)).toContain("DB_PASSWORD='@@SNIPEIT_DB_PASSWORD@@'");
  });

  it("refuses a database password with a single quote (it would end the .env value early)", () => {
    const root = dir("snipeit", "quote");
    const result = runScript(
      renderSnipeItFilesScript(input),
      { ...secrets, SNIPEIT_DB_PASSWORD: "ab'cd" },
      root,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("SNIPEIT_DB_PASSWORD must be a single line without a single quote");
    expect(run("find", [root, "-type", "f"]).stdout).toBe("");
  });

  it("refuses an APP_KEY that is not base64: and 32 bytes", () => {
    const root = dir("snipeit", "key");
    const result = runScript(
      renderSnipeItFilesScript(input),
      { ...secrets, SNIPEIT_APP_KEY: "ChangeMe" },
      root,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("SNIPEIT_APP_KEY must be base64:");
  });
});

describe("Passbolt files, server key and nginx site", () => {
  const secrets = { PASSBOLT_DB_PASSWORD: randomSecret(), PASSBOLT_SMTP_PASSWORD: randomSecret() };
  const root = dir("passbolt", "root");
  const keyDir = join(root, "etc/passbolt/gpg");
  const input = passboltInput();

  it("generates the server key once, as www-data, and passbolt.php loads with its fingerprint", () => {
    const result = runScript(renderPassboltFilesScript(input), secrets, root);
    expect(result.status).toBe(0);
    const fingerprint = readFileSync(join(keyDir, "serverkey.fingerprint"), "utf8").trim();
    expect(fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const shown = run(findProgram("gpg"), [
      "--homedir",
      dir("passbolt", "gpg-check"),
      "--with-colons",
      "--show-keys",
      join(keyDir, "serverkey.asc"),
    ]);
    expect(shown.stdout).toContain(`fpr:::::::::${fingerprint}:`);
    expect(shown.stdout).toContain("<passbolt@vault.bowbo.example>");
    expect(statSync(join(keyDir, "serverkey_private.asc")).uid).toBe(33);

    const file = join(root, "etc/passbolt/passbolt.php");
    expect(phpLint(file)).toBe(`0 No syntax errors detected in ${file}`);
    const config = loadPhpConfig(file, "passbolt");
    expect(config).toMatchObject({
      App: { fullBaseUrl: "https://vault.bowbo.example" },
      Datasources: {
        default: {
          host: "192.168.0.10",
          port: "3306",
          username: "passbolt",
          database: "passbolt",
          password: secrets.PASSBOLT_DB_PASSWORD,
        },
      },
      EmailTransport: {
        default: {
          host: "smtp.bowbo.example",
          port: 587,
          username: "vault",
          password: secrets.PASSBOLT_SMTP_PASSWORD,
          tls: true,
        },
      },
      passbolt: {
        gpg: {
          serverKey: {
            fingerprint,
            public: join(keyDir, "serverkey.asc"),
            private: join(keyDir, "serverkey_private.asc"),
          },
        },
        ssl: { force: true },
      },
    });
  });

  it("a second run keeps the key and rewrites nothing", () => {
    const before = ["serverkey_private.asc", "serverkey.fingerprint"].map((f) => statSync(join(keyDir, f)));
    const config = statSync(join(root, "etc/passbolt/passbolt.php"));
    const result = runScript(renderPassboltFilesScript(input), secrets, root);
    expect(result.status).toBe(0);
    const after = ["serverkey_private.asc", "serverkey.fingerprint"].map((f) => statSync(join(keyDir, f)));
    expect(after.map((s) => s.mtimeMs)).toEqual(before.map((s) => s.mtimeMs));
    expect(statSync(join(root, "etc/passbolt/passbolt.php")).mtimeMs).toBe(config.mtimeMs);
  });

  describe("on nginx + php-fpm", () => {
    const socket = join(dir("passbolt", "fpm"), "php-fpm.sock");
    const webRoot = dir("passbolt", "webroot");
    const site = passboltInput({
      listenAddress: NGINX_IP,
      httpPort: HTTP_PORT,
      phpFpmSocket: socket,
      webRoot,
      trustedProxies: [TRUSTED_CLIENT_IP],
    });

    beforeAll(async () => {
      copyFileSync(join(fixtures, "echo-request.php"), join(webRoot, "index.php"));
      const fpmConf = writeFpmConfig(dir("passbolt", "fpm"), socket);
      daemons.push(
        startDaemon("php-fpm", findProgram("php-fpm8.2"), ["--nodaemonize", "--fpm-config", fpmConf]),
      );
      await waitFor("the php-fpm socket", () => run("test", ["-S", socket]).status === 0, 15000);
      const args = writeNginxConfig(dir("passbolt", "nginx"), renderPassboltNginxSite(site));
      const check = run(findProgram("nginx"), ["-t", ...args]);
      expect(check.output).toContain("test is successful");
      daemons.push(startDaemon("nginx", findProgram("nginx"), args));
      await waitForPort(NGINX_IP, HTTP_PORT, 15000);
    });

    it("routes every path to index.php and tells PHP the visitor used https", async () => {
      const reply = await get(
        NGINX_IP,
        HTTP_PORT,
        "/auth/login?redirect=%2F",
        { Host: "vault.bowbo.example" },
        OTHER_CLIENT_IP,
      );
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({
        https: "on",
        server_name: "vault.bowbo.example",
        remote_addr: OTHER_CLIENT_IP,
        request_uri: "/auth/login?redirect=%2F",
        script: "index.php",
      });
    });

    it("takes the visitor's address from CF-Connecting-IP only when cloudflared sends it", async () => {
      const visitor = "203.0.113.7";
      const viaTunnel = await get(
        NGINX_IP,
        HTTP_PORT,
        "/",
        { Host: "vault.bowbo.example", "CF-Connecting-IP": visitor },
        TRUSTED_CLIENT_IP,
      );
      expect(JSON.parse(viaTunnel.body).remote_addr).toBe(visitor);
      const spoofed = await get(
        NGINX_IP,
        HTTP_PORT,
        "/",
        { Host: "vault.bowbo.example", "CF-Connecting-IP": visitor },
        OTHER_CLIENT_IP,
      );
      expect(JSON.parse(spoofed.body).remote_addr).toBe(OTHER_CLIENT_IP);
    });
  });
});
