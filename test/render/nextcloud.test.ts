import fc from "fast-check";
import {
  nextcloudApacheSiteName,
  renderNextcloudApacheSite,
  renderNextcloudCron,
  renderNextcloudPhpIni,
} from "../../components/nextcloud/apache";
import { nextcloudSettings, renderNextcloudConfigPhp } from "../../components/nextcloud/config";
import { phpSecret, phpValue } from "../../components/proxmox/php-value";
import { phpString } from "../../components/proxmox/php-string";
import {
  nextcloudGuestFiles,
  renderNextcloudFilesScript,
  renderNextcloudScript,
} from "../../components/nextcloud/render";
import { NEXTCLOUD_SECRET_ENV, resolveNextcloudInput } from "../../components/nextcloud/types";
import { placeholdersIn } from "../../components/proxmox/secret-forms";
import { nextcloudInput } from "../live/fixtures/php-apps/inputs";

const bowbo = nextcloudInput("bowbo");
const maro = nextcloudInput("maro");

/** What PHP makes of a single-quoted literal: `\\` → `\`, `\'` → `'`, any other backslash stays. */
function phpSingleQuoted(literal: string): string {
  expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
  return literal.slice(1, -1).replace(/\\([\\'])/g, "$1");
}

describe("Nextcloud settings file", () => {
  it("declares the proxy, cache and Redis settings of the instance", () => {
    const s = nextcloudSettings(bowbo);
    expect(s).toMatchObject({
      trusted_domains: ["cloud.bowbo.example", "192.168.0.40"],
      "overwrite.cli.url": "https://cloud.bowbo.example",
      overwriteprotocol: "https",
      overwritehost: "cloud.bowbo.example",
      trusted_proxies: ["192.168.0.30"],
      forwarded_for_headers: ["HTTP_CF_CONNECTING_IP", "HTTP_X_FORWARDED_FOR"],
      "memcache.local": "\\OC\\Memcache\\APCu",
      "memcache.distributed": "\\OC\\Memcache\\Redis",
      "memcache.locking": "\\OC\\Memcache\\Redis",
      memcache_customprefix: "nextcloud-bowbo:",
      default_phone_region: "ID",
      maintenance_window_start: 20,
      logtimezone: "Asia/Jakarta",
    });
    expect(s.redis).toMatchObject({ host: "192.168.0.12", port: 6379, user: "nextcloud-bowbo", dbindex: 1 });
  });

  it("leaves the Redis user out when the default user is used", () => {
    const s = nextcloudSettings(nextcloudInput("bowbo", { redis: { ...bowbo.redis, user: undefined } }));
    expect(Object.keys(s.redis as object)).not.toContain("user");
  });

  it("holds the Redis password only as a placeholder in PHP string form", () => {
    const text = renderNextcloudConfigPhp(bowbo);
    expect(placeholdersIn(text)).toEqual(["NEXTCLOUD_REDIS_PASSWORD"]);
    expect(text).toContain("'password' => @@NEXTCLOUD_REDIS_PASSWORD:php@@,");
    expect(text.startsWith("<?php\n")).toBe(true);
  });

  it("keeps the two instances apart: database, Redis database, key prefix, host, site", () => {
    const [b, m] = [nextcloudSettings(bowbo), nextcloudSettings(maro)];
    expect((b.redis as Record<string, unknown>).dbindex).not.toBe(
      (m.redis as Record<string, unknown>).dbindex,
    );
    expect(b.memcache_customprefix).not.toBe(m.memcache_customprefix);
    expect(b.overwritehost).not.toBe(m.overwritehost);
    expect(renderNextcloudScript(bowbo)).toContain("--database-name 'nextcloud_bowbo'");
    expect(renderNextcloudScript(maro)).toContain("--database-name 'nextcloud_maro'");
    expect(nextcloudApacheSiteName("bowbo")).not.toBe(nextcloudApacheSiteName("maro"));
  });
});

describe("Nextcloud PHP literals", () => {
  it("phpString gives back any string through PHP's single-quote rules", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => phpSingleQuoted(phpString(s)) === s));
  });

  it("phpValue writes nested maps and lists, and refuses numbers PHP cannot hold", () => {
    expect(phpValue({ a: [1, "x"], b: { c: true, d: null } })).toBe(
      "[\n  'a' => [\n    1,\n    'x',\n  ],\n  'b' => [\n    'c' => true,\n    'd' => null,\n  ],\n]",
    );
    expect(() => phpValue(Number.NaN)).toThrow("not a finite number");
  });

  it("phpSecret refuses names that are not placeholders", () => {
    expect(() => phpSecret("lower")).toThrow("bad secret variable name");
  });
});

describe("Nextcloud web front", () => {
  it("serves plain HTTP on the tunnel port with no redirect to https", () => {
    const site = renderNextcloudApacheSite(bowbo);
    expect(site).toContain("<VirtualHost *:80>");
    expect(site).toContain("ServerName cloud.bowbo.example");
    expect(site).toContain("DocumentRoot /var/www/nextcloud");
    expect(site).not.toMatch(/Redirect|RewriteRule|https:\/\//);
    expect(renderNextcloudApacheSite(nextcloudInput("bowbo", { httpPort: 8080 }))).toContain(
      "<VirtualHost *:8080>",
    );
  });

  it("sets PHP memory from phpMemoryMb and APCu for the CLI; cron every 5 minutes as www-data", () => {
    expect(renderNextcloudPhpIni(nextcloudInput("maro", { phpMemoryMb: 1024 }))).toContain(
      "memory_limit = 1024M",
    );
    expect(renderNextcloudPhpIni(bowbo)).toContain("apc.enable_cli = 1");
    expect(renderNextcloudCron(bowbo)).toContain(
      "*/5 * * * * www-data /usr/bin/php -f /var/www/nextcloud/cron.php",
    );
  });

  it("writes each file under the PHP version's directories", () => {
    const paths = nextcloudGuestFiles(nextcloudInput("bowbo", { phpVersion: "8.3" })).map((f) => f.path);
    expect(paths).toEqual([
      "/var/www/nextcloud/config/proxmox-sites.config.php",
      "/etc/apache2/sites-available/000-proxmox-sites-nextcloud-bowbo.conf",
      "/etc/php/8.3/apache2/conf.d/90-proxmox-sites-nextcloud.ini",
      "/etc/php/8.3/cli/conf.d/90-proxmox-sites-nextcloud.ini",
      "/etc/cron.d/nextcloud",
    ]);
  });
});

describe("Nextcloud script", () => {
  const script = renderNextcloudScript(bowbo);

  it("requires every secret from the prelude and never holds one", () => {
    for (const name of NEXTCLOUD_SECRET_ENV) expect(script).toContain(`: "\${${name}:?`);
    expect(script).toContain('--database-pass "$NEXTCLOUD_DB_PASSWORD"');
    expect(script).toContain('--admin-pass "$NEXTCLOUD_ADMIN_PASSWORD"');
  });

  it("installs only when occ status says not installed, against the central database and the ZFS data directory", () => {
    expect(script).toContain("occ status --output=json");
    expect(script).toMatch(/if \[ "\$installed" = no \]; then\n {2}occ maintenance:install/);
    expect(script).toContain("want_dbhost='192.168.0.10:3306'");
    expect(script).toContain("data_dir='/mnt/ncdata'");
    expect(script).toContain('--data-dir "$data_dir"');
  });

  it("replaces only TurnKey's local install, and refuses an install against another database", () => {
    expect(script).toContain("''|localhost|localhost:*|127.0.0.1|127.0.0.1:*)");
    expect(script).toContain('if [ -e "$data_dir/.ocdata" ]; then');
    expect(script).toContain("move it by hand");
  });

  it("guards every change: background mode, database password, Apache modules and site, reload", () => {
    expect(script).toContain(
      'if [ "$(occ config:app:get core backgroundjobs_mode 2>/dev/null || true)" != cron ]; then',
    );
    expect(script).toContain(
      'if [ "$(occ config:system:get dbpassword)" != "$NEXTCLOUD_DB_PASSWORD" ]; then',
    );
    expect(script).toContain('if ! a2query -q -m "$module"; then');
    expect(script).toContain("if ! a2query -q -s '000-proxmox-sites-nextcloud-bowbo'; then");
    expect(script).toMatch(
      /if \[ "\$reload_apache" = 1 \]; then\n {2}apache2ctl configtest\n {2}systemctl reload apache2/,
    );
    expect(script).toContain("systemctl disable --now turnkey-init-fence");
  });

  it("the files-only script writes the same files without running occ, apt or Apache", () => {
    const files = renderNextcloudFilesScript(bowbo);
    expect(files).not.toMatch(/^\s*(occ|apt-get|a2en\w+|systemctl) |reload_apache/m);
    expect(files).toContain("proxmox-sites.config.php");
  });
});

describe("Nextcloud input validation", () => {
  it("names every bad field at once", () => {
    const bad = nextcloudInput("bowbo", {
      redis: { ...bowbo.redis, dbIndex: 16, keyPrefix: "" },
      trustedProxies: [],
      dataDirectory: "relative/path",
      phpMemoryMb: 10,
    });
    expect(() => resolveNextcloudInput(bad)).toThrow(
      /nextcloud\.bowbo\.dataDirectory[\s\S]*nextcloud\.bowbo\.redis\.dbIndex: 16[\s\S]*redis\.keyPrefix[\s\S]*phpMemoryMb: 10[\s\S]*trustedProxies/,
    );
  });

  it("accepts any valid Redis database index and applies the defaults", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), (dbIndex) => {
        const resolved = resolveNextcloudInput(nextcloudInput("maro", { redis: { ...maro.redis, dbIndex } }));
        return (
          resolved.redis.dbIndex === dbIndex &&
          resolved.installDirectory === "/var/www/nextcloud" &&
          resolved.httpPort === 80
        );
      }),
    );
  });
});
