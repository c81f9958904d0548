/**
 * AdGuardHome.yaml for the network-services guest, built as an object and written with the `yaml` package.
 * The admin's bcrypt hash is not known here: the file carries `ADGUARD_HASH_MARKER`, which the provisioning
 * script replaces with a hash computed in the guest from ADGUARD_ADMIN_PASSWORD (see adguard.ts). Pure: no
 * Pulumi import.
 */
import { ADGUARD_UPSTREAM } from "../../config/primitives";
import { throwIfProblems } from "../proxmox/problems";
import YAML from "yaml";
import { ipOrCidrProblem, ipProblem, isDnsName, isIpAddress, portProblem } from "../webapps/validate";

/** A local name AdGuard answers itself, e.g. `{ name: "database-primary.bowbo.lan", ip: "192.168.0.10" }`. */
export interface DnsRewrite {
  /** Fully qualified name (lower case). */
  name: string;
  /** IPv4 or IPv6 address returned for it. */
  ip: string;
}

export interface AdGuardHomeConfigInput {
  /** Guest address DNS and the web UI bind to, e.g. `192.168.0.30`. */
  listenAddress: string;
  /** DNS port, default 53. */
  dnsPort?: number;
  /** Web UI port, default 3000. */
  webPort?: number;
  /** Upstream resolvers in AdGuard syntax: `9.9.9.9`, `tls://1.1.1.1`, `https://dns.quad9.net/dns-query`. */
  upstreamDns: readonly string[];
  /** Plain-IP resolvers used to resolve upstreams given by name. */
  bootstrapDns: readonly string[];
  /** Who may query: the site CIDR and the admin CIDRs. Everyone else is refused. */
  allowedClients: readonly string[];
  /** Local names answered directly (each guest's hostname in the internal domain). */
  rewrites: readonly DnsRewrite[];
  /** Web UI user, default `admin`. */
  adminUser?: string;
}

/** Replaced in the guest with the bcrypt hash of ADGUARD_ADMIN_PASSWORD (not an `@@NAME@@` placeholder: the hash is computed, not exported). */
export const ADGUARD_HASH_MARKER = "__ADGUARD_ADMIN_PASSWORD_BCRYPT__";

/** Configuration schema of AdGuard Home v0.107.74 and later (`http.doh` added in 34). */
export const ADGUARD_SCHEMA_VERSION = 34;

// The stack's schema checks networkServices.upstreamDns with the same pattern.
const upstream = ADGUARD_UPSTREAM;

/** `9.9.9.9`, `9.9.9.9:53`, `2620:fe::fe` or `[2620:fe::fe]:53`. */
function isPlainResolver(value: string): boolean {
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(value);
  if (bracketed) return isIpAddress(bracketed[1]) && portProblem("", Number(bracketed[2])) === undefined;
  const v4WithPort = /^([0-9.]+):(\d+)$/.exec(value);
  if (v4WithPort) return isIpAddress(v4WithPort[1]) && portProblem("", Number(v4WithPort[2])) === undefined;
  return isIpAddress(value);
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Checks the input; one Error lists every problem. */
export function validateAdGuardHomeConfig(input: AdGuardHomeConfigInput): void {
  const problems: (string | undefined)[] = [
    ipProblem("adguard.listenAddress", input.listenAddress),
    portProblem("adguard.dnsPort", input.dnsPort ?? 53),
    portProblem("adguard.webPort", input.webPort ?? 3000),
    input.upstreamDns.length > 0 ? undefined : "adguard.upstreamDns: at least one upstream",
    input.bootstrapDns.length > 0 ? undefined : "adguard.bootstrapDns: at least one plain-IP resolver",
    input.allowedClients.length > 0 ? undefined : "adguard.allowedClients: at least the site CIDR",
    /^[A-Za-z0-9_.-]{1,64}$/.test(input.adminUser ?? "admin")
      ? undefined
      : "adguard.adminUser: letters, digits, '_', '.', '-'",
  ];
  for (const u of input.upstreamDns) {
    if (!upstream.test(u)) problems.push(`adguard.upstreamDns: ${u} is not an AdGuard upstream`);
  }
  for (const b of input.bootstrapDns) {
    if (!isPlainResolver(b))
      problems.push(`adguard.bootstrapDns: ${b} must be an IP address (optionally with :port)`);
  }
  for (const c of input.allowedClients) problems.push(ipOrCidrProblem("adguard.allowedClients", c));
  const names = new Set<string>();
  for (const r of input.rewrites) {
    if (!isDnsName(r.name)) problems.push(`adguard.rewrites: ${r.name} is not a lower-case DNS name`);
    if (names.has(r.name)) problems.push(`adguard.rewrites: ${r.name} is listed twice`);
    names.add(r.name);
    problems.push(ipProblem(`adguard.rewrites[${r.name}]`, r.ip));
  }
  throwIfProblems("AdGuard Home config", problems);
}

/** The configuration as an object (what `renderAdGuardHomeConfig` writes). */
export function adGuardHomeConfigDocument(input: AdGuardHomeConfigInput): Record<string, unknown> {
  validateAdGuardHomeConfig(input);
  return {
    http: {
      address: hostPort(input.listenAddress, input.webPort ?? 3000),
      session_ttl: "720h",
    },
    users: [{ name: input.adminUser ?? "admin", password: ADGUARD_HASH_MARKER }],
    auth_attempts: 5,
    block_auth_min: 15,
    language: "en",
    theme: "auto",
    dns: {
      bind_hosts: [input.listenAddress],
      port: input.dnsPort ?? 53,
      upstream_dns: [...input.upstreamDns],
      bootstrap_dns: [...input.bootstrapDns],
      upstream_mode: "load_balance",
      allowed_clients: [...input.allowedClients],
      disallowed_clients: [],
      refuse_any: true,
      cache_enabled: true,
      cache_size: 4194304,
    },
    filtering: {
      protection_enabled: true,
      filtering_enabled: true,
      rewrites: input.rewrites.map((r) => ({ domain: r.name, answer: r.ip, enabled: true })),
    },
    schema_version: ADGUARD_SCHEMA_VERSION,
  };
}

/** AdGuardHome.yaml text with `ADGUARD_HASH_MARKER` where the admin's bcrypt hash goes. */
export function renderAdGuardHomeConfig(input: AdGuardHomeConfigInput): string {
  return YAML.stringify(adGuardHomeConfigDocument(input), { lineWidth: 0 });
}
