import fc from "fast-check";
import { placeholdersIn } from "../../components/proxmox/secret-forms";
import { renderSnipeItBootstrapPhp } from "../../components/snipeit/bootstrap";
import { renderSnipeItEnv } from "../../components/snipeit/env";
import {
  renderSnipeItCron,
  renderSnipeItFilesScript,
  renderSnipeItScript,
  snipeItGuestFiles,
} from "../../components/snipeit/render";
import { resolveSnipeItInput, snipeItSecretEnv } from "../../components/snipeit/types";
import { snipeItInput } from "../live/fixtures/php-apps/inputs";

function envMap(text: string): Map<string, string> {
  return new Map(
    text
      .split("\n")
      .filter((line) => line && !line.startsWith("#"))
      .map(
        (line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as [string, string],
      ),
  );
}

describe("Snipe-IT .env", () => {
  const env = envMap(renderSnipeItEnv(snipeItInput()));

  it("points Snipe-IT at its public https URL, the central MariaDB and the trusted tunnel", () => {
    expect(env.get("APP_URL")).toBe("https://assets.bowbo.example");
    expect(env.get("APP_ENV")).toBe("production");
    expect(env.get("APP_DEBUG")).toBe("false");
    expect(env.get("DB_HOST")).toBe("192.168.0.10");
    expect(env.get("DB_PORT")).toBe("3306");
    expect(env.get("DB_DATABASE")).toBe("snipeit");
    expect(env.get("DB_USERNAME")).toBe("snipeit");
    expect(env.get("APP_TRUSTED_PROXIES")).toBe("192.168.0.30");
    expect(env.get("APP_FORCE_TLS")).toBe("true");
    expect(env.get("SECURE_COOKIES")).toBe("true");
    expect(env.get("SESSION_DRIVER")).toBe("file");
    expect(env.get("CACHE_DRIVER")).toBe("file");
    expect(env.get("APP_TIMEZONE")).toBe("Asia/Jakarta");
  });

  it("holds every secret as a single-quoted placeholder", () => {
    expect(env.get("APP_KEY")).toBe("'@@SNIPEIT_APP_KEY@@'");
    expect(env.get("DB_PASSWORD")).toBe("'@@SNIPEIT_DB_PASSWORD@@'");
    expect(env.get("MAIL_PASSWORD")).toBe("'@@SNIPEIT_MAIL_PASSWORD@@'");
    expect(placeholdersIn(renderSnipeItEnv(snipeItInput()))).toEqual([
      "SNIPEIT_APP_KEY",
      "SNIPEIT_DB_PASSWORD",
      "SNIPEIT_MAIL_PASSWORD",
    ]);
  });

  it("logs mail instead of sending it when no SMTP server is given", () => {
    const text = renderSnipeItEnv(snipeItInput({ mail: undefined }));
    expect(envMap(text).get("MAIL_MAILER")).toBe("log");
    expect(placeholdersIn(text)).not.toContain("SNIPEIT_MAIL_PASSWORD");
  });

  it("lists every trusted proxy, comma-separated", () => {
    fc.assert(
      fc.property(fc.array(fc.ipV4(), { minLength: 1, maxLength: 4 }), (proxies) => {
        const text = renderSnipeItEnv(snipeItInput({ trustedProxies: proxies }));
        return envMap(text).get("APP_TRUSTED_PROXIES") === proxies.join(",");
      }),
    );
  });
});

describe("Snipe-IT script", () => {
  const script = renderSnipeItScript(snipeItInput());

  it("needs the secrets of this input, no more", () => {
    expect(snipeItSecretEnv(snipeItInput())).toEqual([
      "SNIPEIT_APP_KEY",
      "SNIPEIT_DB_PASSWORD",
      "SNIPEIT_ADMIN_PASSWORD",
      "SNIPEIT_MAIL_PASSWORD",
    ]);
    expect(snipeItSecretEnv(snipeItInput({ admin: undefined, mail: undefined }))).toEqual([
      "SNIPEIT_APP_KEY",
      "SNIPEIT_DB_PASSWORD",
    ]);
    for (const name of snipeItSecretEnv(snipeItInput())) expect(script).toContain(`: "\${${name}:?`);
  });

  it("takes APP_KEY from Pulumi and never generates one in the guest", () => {
    expect(script).not.toContain("key:generate");
    expect(script).toContain('[[ "$SNIPEIT_APP_KEY" =~ ^base64:[A-Za-z0-9+/]{43}=$ ]]');
  });

  it("rebuilds the config cache from the new .env before migrating, and migrates idempotently", () => {
    const cache = script.indexOf("artisan config:cache");
    const migrate = script.indexOf("artisan migrate --force");
    expect(cache).toBeGreaterThan(script.indexOf("# /var/www/snipe-it/.env"));
    expect(migrate).toBeGreaterThan(cache);
    expect(script).toContain(
      'if [ "$env_changed" = 1 ] || [ ! -f "$app_dir/bootstrap/cache/config.php" ]; then',
    );
    expect(script).toContain('if [ ! -f "$app_dir/storage/oauth-private.key" ]; then');
  });

  it("closes the setup wizard only when an administrator is given", () => {
    expect(script).toContain(
      "runuser -u www-data -- php '/usr/local/lib/proxmox-sites/snipeit-first-run.php'",
    );
    const bare = renderSnipeItScript(snipeItInput({ admin: undefined }));
    expect(bare).not.toContain("snipeit-first-run.php");
    expect(snipeItGuestFiles(snipeItInput({ admin: undefined })).map((f) => f.path)).toEqual([
      "/var/www/snipe-it/.env",
      "/etc/cron.d/snipe-it",
    ]);
  });

  it("runs the scheduler as www-data, not root", () => {
    expect(renderSnipeItCron(snipeItInput())).toContain(
      "* * * * * www-data /usr/bin/php /var/www/snipe-it/artisan schedule:run",
    );
  });

  it("the files-only script runs no artisan", () => {
    expect(renderSnipeItFilesScript(snipeItInput())).not.toMatch(/artisan (config|migrate|passport)/);
  });
});

describe("Snipe-IT first-run helper", () => {
  it("guards both the administrator and the settings row, and reads the password from the environment", () => {
    const helper = renderSnipeItBootstrapPhp(snipeItInput());
    expect(helper).toContain("if (User::withTrashed()->count() === 0) {");
    expect(helper).toContain("if (Setting::count() === 0) {");
    expect(helper).toContain("getenv('SNIPEIT_ADMIN_PASSWORD')");
    expect(helper).toContain("$settings->site_name = 'Bowbo Assets';");
    expect(helper).toContain("$settings->default_currency = 'IDR';");
    expect(placeholdersIn(helper)).toEqual([]);
  });

  it("quotes text from the stack for PHP", () => {
    const helper = renderSnipeItBootstrapPhp(snipeItInput({ siteName: "O'Brien \\ Assets" }));
    expect(helper).toContain("$settings->site_name = 'O\\'Brien \\\\ Assets';");
  });
});

describe("Snipe-IT input validation", () => {
  it("names every bad field at once", () => {
    expect(() =>
      resolveSnipeItInput(
        snipeItInput({ currency: "rupiah", trustedProxies: ["cloudflared"], timezone: "Jakarta time" }),
      ),
    ).toThrow(/snipeit\.timezone[\s\S]*snipeit\.currency[\s\S]*snipeit\.trustedProxies: cloudflared/);
  });
});
