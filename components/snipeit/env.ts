/**
 * Snipe-IT's `.env` (read by vlucas/phpdotenv). Values that are not plain words are single-quoted: phpdotenv
 * takes single-quoted text literally (no escapes, no `${…}` expansion), so a secret is safe there as long as it
 * holds no `'` or newline, which the script checks before writing. Pure: no Pulumi import.
 *
 * APP_KEY comes from Pulumi (`SNIPEIT_APP_KEY`, `base64:` + 32 random bytes) instead of `artisan key:generate`
 * in the guest: the key encrypts data kept in the central database, so it must survive a rebuilt guest, and a
 * key made in the guest would make the rendered file differ from the one on disk on every run.
 */
import { ResolvedSnipeItInput, SnipeItInput, resolveSnipeItInput } from "./types";

type EnvValue = string | number | boolean | { secret: string };

function envLine(key: string, value: EnvValue): string {
  if (typeof value === "object") return `${key}='@@${value.secret}@@'`;
  const text = String(value);
  if (/^[A-Za-z0-9_.:/@,+-]*$/.test(text)) return `${key}=${text}`;
  if (/['\n\r]/.test(text)) throw new Error(`snipeit .env: ${key} has a quote or newline: ${text}`);
  return `${key}='${text}'`;
}

function envEntries(s: ResolvedSnipeItInput): [string, EnvValue][] {
  const mail: [string, EnvValue][] = s.mail
    ? [
        ["MAIL_MAILER", "smtp"],
        ["MAIL_DRIVER", "smtp"],
        ["MAIL_HOST", s.mail.host],
        ["MAIL_PORT", s.mail.port],
        ["MAIL_USERNAME", s.mail.username ?? "null"],
        ["MAIL_PASSWORD", s.mail.username ? { secret: "SNIPEIT_MAIL_PASSWORD" } : "null"],
        ["MAIL_ENCRYPTION", s.mail.encryption ?? "null"],
        ["MAIL_FROM_ADDR", s.mail.fromAddress],
        ["MAIL_FROM_NAME", s.mail.fromName ?? "Snipe-IT"],
        ["MAIL_REPLYTO_ADDR", s.mail.fromAddress],
        ["MAIL_REPLYTO_NAME", s.mail.fromName ?? "Snipe-IT"],
      ]
    : [
        ["MAIL_MAILER", "log"],
        ["MAIL_DRIVER", "log"],
      ];
  return [
    ["APP_ENV", "production"],
    ["APP_DEBUG", false],
    ["APP_KEY", { secret: "SNIPEIT_APP_KEY" }],
    ["APP_URL", `https://${s.hostname}`],
    ["APP_TIMEZONE", s.timezone],
    ["APP_LOCALE", s.locale],
    ["MAX_RESULTS", 500],
    ["PRIVATE_FILESYSTEM_DISK", "local"],
    ["PUBLIC_FILESYSTEM_DISK", "local_public"],
    ["DB_CONNECTION", "mysql"],
    ["DB_HOST", s.database.host],
    ["DB_PORT", s.database.port],
    ["DB_DATABASE", s.database.name],
    ["DB_USERNAME", s.database.user],
    ["DB_PASSWORD", { secret: "SNIPEIT_DB_PASSWORD" }],
    ["DB_PREFIX", "null"],
    ["DB_DUMP_PATH", "/usr/bin"],
    ["DB_CHARSET", "utf8mb4"],
    ["DB_COLLATION", "utf8mb4_unicode_ci"],
    ...mail,
    ["IMAGE_LIB", "gd"],
    // TLS ends at Cloudflare: trust cloudflared's X-Forwarded-* and always build https URLs.
    ["APP_TRUSTED_PROXIES", s.trustedProxies.join(",")],
    ["APP_FORCE_TLS", true],
    ["SECURE_COOKIES", true],
    ["COOKIE_NAME", "snipeit_session"],
    ["COOKIE_DOMAIN", "null"],
    ["ALLOW_IFRAMING", false],
    ["REFERRER_POLICY", "same-origin"],
    // One guest, one node: the file drivers need no shared Redis (whose key space Snipe-IT cannot prefix).
    ["CACHE_DRIVER", "file"],
    ["SESSION_DRIVER", "file"],
    ["QUEUE_DRIVER", "sync"],
    ["CACHE_PREFIX", "snipeit"],
    ["APP_LOG", "single"],
    ["LOG_MAX_DAYS", 10],
    ["APP_LOCKED", false],
    ["APP_CIPHER", "AES-256-CBC"],
  ];
}

/** The `.env` text; secrets are `@@SNIPEIT_…@@` placeholders filled at write time. */
export function renderSnipeItEnv(input: SnipeItInput): string {
  const s = resolveSnipeItInput(input);
  const lines = envEntries(s).map(([key, value]) => envLine(key, value));
  return `# Rendered by proxmox-sites for ${s.hostname}; changes here are overwritten.\n${lines.join("\n")}\n`;
}
