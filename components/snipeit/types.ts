/** Inputs of the Snipe-IT renderers (TurnKey Snipe-IT 18.0 guest). Pure: no Pulumi import. */
import { isIanaTimeZone } from "../../config/time-zone";

/** The central MariaDB database. The password reaches the script as `SNIPEIT_DB_PASSWORD`. */
export interface SnipeItDatabase {
  /** MariaDB server address, e.g. `192.168.0.10`. */
  host: string;
  /** TCP port, usually 3306. */
  port: number;
  /** Database name, e.g. `snipeit`; the database tier creates it. */
  name: string;
  /** User with all privileges on `name`. */
  user: string;
}

/** Outgoing mail (optional). With `username`, the password reaches the script as `SNIPEIT_MAIL_PASSWORD`. */
export interface SnipeItMail {
  /** SMTP server host name. */
  host: string;
  /** SMTP port, e.g. 587. */
  port: number;
  /** SMTP login; absent for an unauthenticated relay. */
  username?: string;
  /** `tls` (STARTTLS), `ssl` (implicit TLS) or absent for none. */
  encryption?: "tls" | "ssl";
  /** Sender address of notifications. */
  fromAddress: string;
  /** Sender display name. Default `Snipe-IT`. */
  fromName?: string;
}

/** The first administrator, created only while the database has no user. Password: `SNIPEIT_ADMIN_PASSWORD`. */
export interface SnipeItAdmin {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface SnipeItInput {
  /** Public host name served through the tunnel, e.g. `assets.bowbo.co.id`. */
  hostname: string;
  database: SnipeItDatabase;
  /** Addresses (or CIDRs) of the reverse proxies in front: the cloudflared guest(s). */
  trustedProxies: readonly string[];
  /** IANA time zone, e.g. `Asia/Jakarta`. */
  timezone: string;
  /**
   * First administrator and settings row. Without it Snipe-IT shows its setup wizard to whoever comes first,
   * so leave it out only when Cloudflare Access guards the host name.
   */
  admin?: SnipeItAdmin;
  mail?: SnipeItMail;
  /** Site name of the settings row. Default `Snipe-IT`. */
  siteName?: string;
  /** Default currency of the settings row (ISO 4217). Default `IDR`. */
  currency?: string;
  /** Interface language. Default `en-US`. */
  locale?: string;
  /** Where TurnKey installed Snipe-IT. Default `/var/www/snipe-it`. */
  installDirectory?: string;
}

/** Variables the stdin prelude always exports for the Snipe-IT script. */
export const SNIPEIT_SECRET_ENV = ["SNIPEIT_APP_KEY", "SNIPEIT_DB_PASSWORD"] as const;

/** Names of every secret the script needs for this input (adds the admin and mail passwords when used). */
export function snipeItSecretEnv(input: SnipeItInput): string[] {
  const names: string[] = [...SNIPEIT_SECRET_ENV];
  if (input.admin) names.push("SNIPEIT_ADMIN_PASSWORD");
  if (input.mail?.username) names.push("SNIPEIT_MAIL_PASSWORD");
  return names;
}

export type ResolvedSnipeItInput = SnipeItInput &
  Required<Pick<SnipeItInput, "siteName" | "currency" | "locale" | "installDirectory">>;

/** Fills in defaults and rejects values that would render a broken file, naming the field. */
export function resolveSnipeItInput(input: SnipeItInput): ResolvedSnipeItInput {
  const resolved: ResolvedSnipeItInput = {
    ...input,
    siteName: input.siteName ?? "Snipe-IT",
    currency: input.currency ?? "IDR",
    locale: input.locale ?? "en-US",
    installDirectory: input.installDirectory ?? "/var/www/snipe-it",
  };
  const problems: string[] = [];
  if (!/^[A-Za-z0-9.-]+$/.test(resolved.hostname))
    problems.push(`hostname: ${resolved.hostname} is not a host name`);
  if (!/^\/[A-Za-z0-9._/-]*$/.test(resolved.installDirectory) || resolved.installDirectory.includes(".."))
    problems.push(`installDirectory: ${resolved.installDirectory} is not a plain absolute path`);
  if (!isIanaTimeZone(resolved.timezone)) problems.push(`timezone: ${resolved.timezone} is not an IANA zone`);
  if (!/^[A-Z]{3}$/.test(resolved.currency))
    problems.push(`currency: ${resolved.currency} is not an ISO 4217 code`);
  if (!/^[a-z]{2}(-[A-Z]{2})?$/.test(resolved.locale))
    problems.push(`locale: ${resolved.locale} is not like en-US`);
  for (const name of [resolved.database.name, resolved.database.user]) {
    if (!/^[A-Za-z0-9_]+$/.test(name)) problems.push(`database: ${name} is not a plain MariaDB identifier`);
  }
  if (
    !Number.isInteger(resolved.database.port) ||
    resolved.database.port < 1 ||
    resolved.database.port > 65535
  )
    problems.push(`database.port: ${resolved.database.port} is not a TCP port`);
  if (resolved.trustedProxies.length === 0)
    problems.push("trustedProxies: at least the cloudflared guest is needed");
  for (const proxy of resolved.trustedProxies) {
    if (!/^[0-9A-Fa-f.:/]+$/.test(proxy)) problems.push(`trustedProxies: ${proxy} is not an address or CIDR`);
  }
  if (resolved.admin && !/^[^@\s]+@[^@\s]+$/.test(resolved.admin.email))
    problems.push(`admin.email: ${resolved.admin.email} is not an e-mail address`);
  if (resolved.mail && !/^[^@\s]+@[^@\s]+$/.test(resolved.mail.fromAddress))
    problems.push(`mail.fromAddress: ${resolved.mail.fromAddress} is not an e-mail address`);
  if (problems.length > 0) throw new Error(problems.map((p) => `snipeit.${p}`).join("\n"));
  return resolved;
}
