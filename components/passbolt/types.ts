/** Inputs of the Passbolt CE renderers (Debian 12 or Ubuntu 22.04 LXC guest). Pure: no Pulumi import. */

/** The central MariaDB database. The password reaches the script as `PASSBOLT_DB_PASSWORD`. */
export interface PassboltDatabase {
  /** MariaDB server address, e.g. `192.168.0.10`. */
  host: string;
  /** TCP port, usually 3306. */
  port: number;
  /** Database name, e.g. `passbolt`; the database tier creates it. */
  name: string;
  /** User with all privileges on `name`. */
  user: string;
}

/** Outgoing mail (optional). With `username`, the password reaches the script as `PASSBOLT_SMTP_PASSWORD`. */
export interface PassboltMail {
  /** SMTP server host name. */
  host: string;
  /** SMTP port, e.g. 587. */
  port: number;
  /** SMTP login; absent for an unauthenticated relay. */
  username?: string;
  /** STARTTLS on the connection. Default true. */
  tls?: boolean;
  /** Sender address of notifications. */
  fromAddress: string;
  /** Sender display name. Default `Passbolt`. */
  fromName?: string;
}

/** The first administrator: `cake passbolt install` registers them and prints their one-time setup link. */
export interface PassboltAdmin {
  email: string;
  firstName: string;
  lastName: string;
}

export interface PassboltInput {
  /** Public host name served through the tunnel, e.g. `vault.bowbo.co.id`. */
  hostname: string;
  database: PassboltDatabase;
  /** Addresses (or CIDRs) of the reverse proxies in front (cloudflared); nginx takes the visitor's IP from them. */
  trustedProxies: readonly string[];
  /** Identity of the server OpenPGP key generated on first run. Default `Passbolt server key`. */
  serverKeyName?: string;
  /** E-mail of the server key. Default `passbolt@<hostname>`. */
  serverKeyEmail?: string;
  admin?: PassboltAdmin;
  mail?: PassboltMail;
  /** PHP version of the guest: `8.2` on Debian 12 (default), `8.1` on Ubuntu 22.04. */
  phpVersion?: string;
  /** Port of the plain-HTTP server the tunnel reaches. Default 80. */
  httpPort?: number;
  /** Address nginx binds to; absent means every address of the guest. */
  listenAddress?: string;
  /** php-fpm socket nginx passes PHP to. Default `/run/php/php<phpVersion>-fpm.sock`. */
  phpFpmSocket?: string;
  /** Passbolt's web root. Default the package's `/usr/share/php/passbolt/webroot`. */
  webRoot?: string;
}

/** Names of every secret the script needs for this input. */
export function passboltSecretEnv(input: PassboltInput): string[] {
  return input.mail?.username ? ["PASSBOLT_DB_PASSWORD", "PASSBOLT_SMTP_PASSWORD"] : ["PASSBOLT_DB_PASSWORD"];
}

export type ResolvedPassboltInput = PassboltInput &
  Required<
    Pick<
      PassboltInput,
      "serverKeyName" | "serverKeyEmail" | "phpVersion" | "httpPort" | "phpFpmSocket" | "webRoot"
    >
  >;

/** Fills in defaults and rejects values that would render a broken file, naming the field. */
export function resolvePassboltInput(input: PassboltInput): ResolvedPassboltInput {
  const phpVersion = input.phpVersion ?? "8.2";
  const resolved: ResolvedPassboltInput = {
    ...input,
    serverKeyName: input.serverKeyName ?? "Passbolt server key",
    serverKeyEmail: input.serverKeyEmail ?? `passbolt@${input.hostname}`,
    phpVersion,
    httpPort: input.httpPort ?? 80,
    phpFpmSocket: input.phpFpmSocket ?? `/run/php/php${phpVersion}-fpm.sock`,
    webRoot: input.webRoot ?? "/usr/share/php/passbolt/webroot",
  };
  const problems: string[] = [];
  if (!/^[A-Za-z0-9.-]+$/.test(resolved.hostname))
    problems.push(`hostname: ${resolved.hostname} is not a host name`);
  if (!/^\d+\.\d+$/.test(resolved.phpVersion))
    problems.push(`phpVersion: ${resolved.phpVersion} is not like 8.2`);
  if (!/^[A-Za-z0-9 ._-]+$/.test(resolved.serverKeyName))
    problems.push(`serverKeyName: ${resolved.serverKeyName} has odd characters`);
  if (!/^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+$/.test(resolved.serverKeyEmail))
    problems.push(`serverKeyEmail: ${resolved.serverKeyEmail} is not an e-mail address`);
  for (const [field, path] of [
    ["phpFpmSocket", resolved.phpFpmSocket],
    ["webRoot", resolved.webRoot],
  ] as const) {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(path) || path.includes(".."))
      problems.push(`${field}: ${path} is not a plain absolute path`);
  }
  if (resolved.listenAddress !== undefined && !/^[0-9.]+$/.test(resolved.listenAddress))
    problems.push(`listenAddress: ${resolved.listenAddress} is not an IPv4 address`);
  for (const [field, port] of [
    ["database.port", resolved.database.port],
    ["httpPort", resolved.httpPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      problems.push(`${field}: ${port} is not a TCP port`);
  }
  for (const name of [resolved.database.name, resolved.database.user]) {
    if (!/^[A-Za-z0-9_]+$/.test(name)) problems.push(`database: ${name} is not a plain MariaDB identifier`);
  }
  if (!/^[A-Za-z0-9.:-]+$/.test(resolved.database.host))
    problems.push(`database.host: ${resolved.database.host} is not a host`);
  if (resolved.trustedProxies.length === 0)
    problems.push("trustedProxies: at least the cloudflared guest is needed");
  for (const proxy of resolved.trustedProxies) {
    if (!/^[0-9A-Fa-f.:/]+$/.test(proxy)) problems.push(`trustedProxies: ${proxy} is not an address or CIDR`);
  }
  if (resolved.admin) {
    if (!/^[^@\s'"]+@[^@\s'"]+$/.test(resolved.admin.email))
      problems.push(`admin.email: ${resolved.admin.email} is not an e-mail address`);
    for (const [field, name] of [
      ["admin.firstName", resolved.admin.firstName],
      ["admin.lastName", resolved.admin.lastName],
    ] as const) {
      if (!/^[\p{L}][\p{L} .'-]*$/u.test(name)) problems.push(`${field}: ${name} is not a name`);
    }
  }
  if (problems.length > 0) throw new Error(problems.map((p) => `passbolt.${p}`).join("\n"));
  return resolved;
}
