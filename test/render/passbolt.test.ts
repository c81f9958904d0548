import fc from "fast-check";
import { passboltSettings, renderPassboltConfigPhp } from "../../components/passbolt/config";
import { renderPassboltNginxSite } from "../../components/passbolt/nginx";
import {
  PASSBOLT_REPOSITORY_KEY_FINGERPRINT,
  passboltGuestFiles,
  renderPassboltFilesScript,
  renderPassboltScript,
} from "../../components/passbolt/render";
import { renderPassboltServerKeyStep } from "../../components/passbolt/serverkey";
import { passboltSecretEnv, resolvePassboltInput } from "../../components/passbolt/types";
import { placeholdersIn } from "../../components/proxmox/secret-forms";
import { passboltInput } from "../live/fixtures/php-apps/inputs";

describe("passbolt.php", () => {
  it("points Passbolt at its https URL and the central MariaDB", () => {
    expect(passboltSettings(passboltInput())).toMatchObject({
      App: { fullBaseUrl: "https://vault.bowbo.example" },
      Datasources: {
        default: { host: "192.168.0.10", port: "3306", username: "passbolt", database: "passbolt" },
      },
      passbolt: { ssl: { force: true } },
    });
  });

  it("holds the passwords only as placeholders", () => {
    expect(placeholdersIn(renderPassboltConfigPhp(passboltInput()))).toEqual([
      "PASSBOLT_DB_PASSWORD",
      "PASSBOLT_SMTP_PASSWORD",
    ]);
    const noMail = renderPassboltConfigPhp(passboltInput({ mail: undefined }));
    expect(placeholdersIn(noMail)).toEqual(["PASSBOLT_DB_PASSWORD"]);
    expect(noMail).not.toContain("EmailTransport");
  });

  it("reads the server key's fingerprint from the file the script writes beside the keys", () => {
    const text = renderPassboltConfigPhp(passboltInput());
    expect(text).toContain("file_get_contents(__DIR__ . '/gpg/serverkey.fingerprint')");
    expect(text).toContain("'private' => __DIR__ . '/gpg/serverkey_private.asc',");
  });

  it("needs the SMTP password only with an SMTP login", () => {
    expect(passboltSecretEnv(passboltInput())).toEqual(["PASSBOLT_DB_PASSWORD", "PASSBOLT_SMTP_PASSWORD"]);
    expect(
      passboltSecretEnv(passboltInput({ mail: { host: "relay", port: 25, fromAddress: "a@b.example" } })),
    ).toEqual(["PASSBOLT_DB_PASSWORD"]);
  });
});

describe("Passbolt nginx site", () => {
  it("serves plain HTTP, tells PHP the visitor used https, and trusts only the tunnel for the visitor's IP", () => {
    const site = renderPassboltNginxSite(passboltInput({ trustedProxies: ["192.168.0.30", "192.168.0.31"] }));
    expect(site).toContain("listen 80 default_server;");
    expect(site).toContain("fastcgi_param HTTPS on;");
    expect(site).toContain("set_real_ip_from 192.168.0.30;\n    set_real_ip_from 192.168.0.31;");
    expect(site).toContain("real_ip_header CF-Connecting-IP;");
    expect(site).toContain("root /usr/share/php/passbolt/webroot;");
    expect(site).toContain("fastcgi_pass unix:/run/php/php8.2-fpm.sock;");
    expect(site).not.toMatch(/listen [^;]*ssl|443|return 30/);
  });

  it("follows the guest's PHP version and an explicit listen address", () => {
    const site = renderPassboltNginxSite(
      passboltInput({ phpVersion: "8.1", listenAddress: "192.168.0.52", httpPort: 8080 }),
    );
    expect(site).toContain("fastcgi_pass unix:/run/php/php8.1-fpm.sock;");
    expect(site).toContain("listen 192.168.0.52:8080 default_server;");
  });
});

describe("Passbolt script", () => {
  const script = renderPassboltScript(passboltInput());

  it("adds Passbolt's repository only when its key is absent, and checks the key's fingerprint", () => {
    expect(script).toContain("if [ ! -s /usr/share/keyrings/passbolt-repository.gpg ]; then");
    expect(script).toContain(`if [ "$key_fingerprint" != ${PASSBOLT_REPOSITORY_KEY_FINGERPRINT} ]; then`);
    expect(passboltGuestFiles(passboltInput())[0].content).toContain(
      "deb [signed-by=/usr/share/keyrings/passbolt-repository.gpg] https://download.passbolt.com/ce/debian buster stable",
    );
  });

  it("installs the package once, in simple mode, without a local MariaDB or package-made nginx site", () => {
    expect(script).toContain("passbolt-ce-server passbolt/mysql-configuration boolean false");
    expect(script).toContain("passbolt-ce-server passbolt/nginx-configuration boolean false");
    expect(script).toMatch(/if ! dpkg-query -W -f='\$\{Status\}' passbolt-ce-server/);
  });

  it("generates the server key only while no private key exists", () => {
    const step = renderPassboltServerKeyStep(passboltInput());
    expect(step).toContain('if [ ! -s "$key_dir/serverkey_private.asc" ]; then');
    expect(step).toContain("Name-Email: passbolt@vault.bowbo.example");
    expect(step).toContain("%no-protection");
    expect(step).toContain("runuser -u www-data -- gpg");
  });

  it("installs when the database has no schema, migrates otherwise, and ends with a non-fatal healthcheck", () => {
    expect(script).toMatch(
      /if \[ "\$has_schema" = no \]; then\n {2}cake passbolt install --admin-username 'it@bowbo.example' --admin-first-name 'IT' --admin-last-name 'Admin'\nelse\n {2}cake passbolt migrate\nfi/,
    );
    expect(renderPassboltScript(passboltInput({ admin: undefined }))).toContain(
      "cake passbolt install --no-admin",
    );
    expect(script.trimEnd().split("\n").pop()).toBe(
      'cake passbolt healthcheck || echo "passbolt healthcheck reported problems (see above)" >&2',
    );
  });

  it("requires the database password from the prelude and never holds a value", () => {
    expect(script).toContain(': "${PASSBOLT_DB_PASSWORD:?');
    expect(script).toContain('getenv("PASSBOLT_DB_PASSWORD")');
  });

  it("the files-only script runs no apt and no cake", () => {
    expect(renderPassboltFilesScript(passboltInput())).not.toMatch(/apt-get|bin\/cake|systemctl/);
  });
});

describe("Passbolt input validation", () => {
  it("names every bad field at once", () => {
    expect(() =>
      resolvePassboltInput(
        passboltInput({ phpVersion: "eight", httpPort: 0, trustedProxies: [], serverKeyEmail: "nobody" }),
      ),
    ).toThrow(
      /passbolt\.phpVersion[\s\S]*passbolt\.serverKeyEmail[\s\S]*passbolt\.httpPort: 0[\s\S]*passbolt\.trustedProxies/,
    );
  });

  it("derives the server key e-mail from any valid host name", () => {
    fc.assert(
      fc.property(
        fc.domain(),
        (hostname) =>
          resolvePassboltInput(passboltInput({ hostname })).serverKeyEmail === `passbolt@${hostname}`,
      ),
    );
  });
});
