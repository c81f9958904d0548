/**
 * Passbolt's `/etc/passbolt/passbolt.php`, which overrides `passbolt.default.php`. The server key's fingerprint
 * is known only after the script generated the key in the guest, so the file reads it from
 * `gpg/serverkey.fingerprint` (written by the script beside the keys) instead of holding it: the config file
 * stays a pure function of the stack and compare-before-write keeps working. Pure: no Pulumi import.
 */
import { PhpMap, phpCode, phpSecret, phpValue } from "../proxmox/php-value";
import { PassboltInput, resolvePassboltInput } from "./types";

/** Where the package reads its configuration; the server keys live in `gpg/` below it. */
export const PASSBOLT_CONFIG_DIR = "/etc/passbolt";

/** The configuration as a PHP map (secrets as placeholders). */
export function passboltSettings(input: PassboltInput): PhpMap {
  const p = resolvePassboltInput(input);
  const mail: PhpMap = p.mail
    ? {
        EmailTransport: {
          default: {
            className: "Smtp",
            host: p.mail.host,
            port: p.mail.port,
            username: p.mail.username ?? null,
            password: p.mail.username ? phpSecret("PASSBOLT_SMTP_PASSWORD") : null,
            tls: p.mail.tls ?? true,
          },
        },
        Email: { default: { from: { [p.mail.fromAddress]: p.mail.fromName ?? "Passbolt" } } },
      }
    : {};
  return {
    App: { fullBaseUrl: `https://${p.hostname}` },
    Datasources: {
      default: {
        host: p.database.host,
        port: String(p.database.port),
        username: p.database.user,
        password: phpSecret("PASSBOLT_DB_PASSWORD"),
        database: p.database.name,
      },
    },
    ...mail,
    passbolt: {
      gpg: {
        serverKey: {
          fingerprint: phpCode(
            "is_file(__DIR__ . '/gpg/serverkey.fingerprint') ? trim((string) file_get_contents(__DIR__ . '/gpg/serverkey.fingerprint')) : null",
          ),
          public: phpCode("__DIR__ . '/gpg/serverkey.asc'"),
          private: phpCode("__DIR__ . '/gpg/serverkey_private.asc'"),
        },
      },
      // Cloudflare serves https; nginx tells PHP so (fastcgi_param HTTPS on), so forcing SSL cannot loop.
      ssl: { force: true },
    },
  };
}

/** The text of `/etc/passbolt/passbolt.php`; `@@PASSBOLT_…@@` placeholders are filled at write time. */
export function renderPassboltConfigPhp(input: PassboltInput): string {
  return [
    "<?php",
    `// Rendered by proxmox-sites for ${input.hostname}; changes here are overwritten.`,
    `return ${phpValue(passboltSettings(input))};`,
    "",
  ].join("\n");
}
