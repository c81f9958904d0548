/**
 * Scaffolds a new client's stack file from a profile: fills in the site, Proxmox host and network,
 * allocates VMIDs and addresses for every `auto` inside the subnet, validates the result, and
 * renders Pulumi.<name>.yaml with the credentials only as commented `pulumi config set --secret`
 * lines. Pure apart from reading the profile file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Document, isMap, isScalar, parse, type YAMLMap } from "yaml";
import { PROJECT } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { formatProblem } from "../../config/problems";
import { fitToHost } from "./fit";
import { allocate, subnetPlan, type Allocated, type AllocationRequest, type Block } from "./allocate";

export const PROFILES = ["company-site", "moodle-school", "web-cluster", "minimal"] as const;
export type ProfileName = (typeof PROFILES)[number];

export interface Profile {
  name: string;
  description: string;
  host: {
    cpuThreads: number;
    memoryGb: number;
    reservedMemoryGb: number;
    cpuOvercommitRatio: number;
    memoryOvercommitRatio: number;
  };
  /** Tier keys of the stack, with `auto` VMIDs and addresses and ${domain}/${name} placeholders. */
  config: Record<string, unknown>;
  /** Top-level tiers `--host-*` may leave out when the host is too small, first named first dropped. */
  optionalTiers?: string[];
}

export interface ScaffoldOptions {
  /** Stack name; also the site slug. */
  name: string;
  profile: Profile;
  /** Site network, e.g. 10.20.0.0/24: gateway .1, Proxmox host .2, guests from .10. */
  subnet: string;
  /** Public DNS zone on Cloudflare; defaults to <name>.example. */
  domain?: string;
  /** Logical CPUs (threads) of the host; defaults to the profile's. */
  hostCores?: number;
  hostMemoryGb?: number;
  cpuVendor?: "amd" | "intel";
  timezone?: string;
  /** Client's display name; defaults to the stack name. */
  client?: string;
}

export interface SecretToSet {
  key: string;
  /** Shown after the command; says when it is optional. */
  why: string;
  /** How to pass it, e.g. `-- < ~/.ssh/id_ed25519`; empty: pulumi prompts for it. */
  input?: string;
}

export interface Scaffold {
  /** Values under the project namespace, as validated. */
  values: Record<string, unknown>;
  allocations: Allocated[];
  secrets: SecretToSet[];
  /** How the profile was fitted to the host (scaled guests, tiers left out); empty when it fit as is. */
  fitted: string[];
  warnings: string[];
  /** The stack file's text. */
  text: string;
}

/** Reads profiles/<name>.yaml from the repository root. */
export function loadProfile(root: string, name: string): Profile {
  if (!(PROFILES as readonly string[]).includes(name))
    throw new Error(`unknown profile "${name}": use one of ${PROFILES.join(", ")}`);
  const raw = parse(readFileSync(join(root, "profiles", `${name}.yaml`), "utf8")) as Omit<Profile, "name">;
  return { name, ...raw };
}

/** Which block of addresses a guest at this config path takes. */
export function blockOf(path: string): Block {
  const rules: [RegExp, Block][] = [
    [/^(database|redis)\b/, "data"],
    [/^(webApps|moodle\.loadBalancers|moodle\.vip|webClusters\.[^.]+\.(loadBalancers|vip))\b/, "front"],
    [/^moodle\b/, "moodle"],
    [/^(networkServices|monitoring)\b/, "ops"],
    [/^nextcloud\b/, "nextcloud"],
    [/^windowsGpu\b/, "windows"],
  ];
  return rules.find(([re]) => re.test(path))?.[1] ?? "apps";
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Every `auto` in the profile's config, in document order. */
export function autoRequests(config: Record<string, unknown>): AllocationRequest[] {
  const out: AllocationRequest[] = [];
  const walk = (value: unknown, path: string) => {
    if (!isRecord(value)) return;
    if (value.ip === "auto") out.push({ id: path, block: blockOf(path), needsVmid: value.vmid === "auto" });
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (v === "auto" && k !== "ip" && k !== "vmid")
        out.push({ id: p, block: blockOf(p), needsVmid: false });
      else walk(v, p);
    }
  };
  walk(config, "");
  // Floating addresses first within their block, like the seed (VIP .20, balancers .21 and up).
  return [...out.filter((r) => !r.needsVmid), ...out.filter((r) => r.needsVmid)];
}

function fill(
  value: unknown,
  vars: Record<string, string>,
  byPath: Map<string, Allocated>,
  path = "",
): unknown {
  if (typeof value === "string") {
    if (value === "auto") return byPath.get(path)?.ip ?? value;
    return value.replace(/\$\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
  }
  if (Array.isArray(value)) return value.map((v, i) => fill(v, vars, byPath, `${path}.${i}`));
  if (!isRecord(value)) return value;
  const alloc = byPath.get(path);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    if (alloc && k === "vmid" && v === "auto") out[k] = alloc.vmid;
    else if (alloc && k === "ip" && v === "auto") out[k] = alloc.ip;
    else out[k] = fill(v, vars, byPath, p);
  }
  return out;
}

/** The credentials this stack reads, each with when it is needed. */
export function requiredSecrets(values: Record<string, unknown>): SecretToSet[] {
  const out: SecretToSet[] = [
    {
      key: "proxmoxApiToken",
      why: "API token of the least-privilege Proxmox user (docs/onboarding.md)",
      input: "'terraform@pve!provider=<uuid>'",
    },
    {
      key: "proxmoxSshPrivateKey",
      why: "SSH key for provisioning with pct exec (or leave unset and use ssh-agent)",
      input: "-- < ~/.ssh/id_ed25519",
    },
  ];
  if (values.moodle || values.webClusters || values.windowsGpu || values.frappe)
    out.push({
      key: "proxmoxRootPassword",
      why: "root@pam, only for what a token may not do (bind mounts, ERPNext's keyctl, PCI passthrough)",
    });
  if (values.tunnel)
    out.push({
      key: "cloudflareApiToken",
      why: "Cloudflare token: Tunnel, Access and DNS (docs/onboarding.md)",
    });
  const monitoring = values.monitoring;
  if (isRecord(monitoring)) {
    out.push({ key: "alertSmtpPassword", why: "optional: SMTP login for alert mail" });
    out.push({ key: "pveExporterToken", why: "optional: read-only PVE API token for Proxmox metrics" });
    if (monitoring.telegramChatId) out.push({ key: "telegramBotToken", why: "Telegram bot for alerts" });
  }
  return out;
}

/** Adds a comment line above a key of a map in the document. */
function commentKey(doc: Document, path: (string | number)[], comment: string) {
  const map = doc.getIn(path.slice(0, -1), true);
  if (!isMap(map)) return;
  const pair = (map as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${comment}`;
}

/** Builds, validates (throws SiteConfigError naming every problem) and renders the stack. */
export function scaffoldStack(opts: ScaffoldOptions): Scaffold {
  const net = subnetPlan(opts.subnet);
  const { profile, name } = opts;
  const domain = opts.domain ?? `${name}.example`;
  const cpuThreads = opts.hostCores ?? profile.host.cpuThreads;
  const memoryGb = opts.hostMemoryGb ?? profile.host.memoryGb;
  // A host given on the command line gets the profile fitted to it (sizes scaled within each tier's minimums).
  const fit =
    opts.hostCores !== undefined || opts.hostMemoryGb !== undefined
      ? fitToHost(
          profile.config,
          {
            vcpus: cpuThreads * profile.host.cpuOvercommitRatio,
            memoryMb:
              Math.max(0, memoryGb - profile.host.reservedMemoryGb) *
              1024 *
              profile.host.memoryOvercommitRatio,
          },
          profile.optionalTiers,
        )
      : { config: profile.config, notes: [] };
  const requests = autoRequests(fit.config);
  const allocations = allocate(net.cidr, requests);
  const byPath = new Map(allocations.map((a) => [a.id, a]));
  const tiers = fill(fit.config, { domain, name }, byPath) as Record<string, unknown>;
  const dnsGuest = isRecord(tiers.networkServices) ? String(tiers.networkServices.ip) : undefined;
  const values: Record<string, unknown> = {
    site: {
      client: opts.client ?? name,
      slug: name,
      domain,
      timezone: opts.timezone ?? "UTC",
      internalDomain: `${name}.lan`,
      adminEmails: [`admin@${domain}`],
    },
    proxmox: {
      endpoint: `https://${net.host}:8006/`,
      insecure: true,
      sshUser: "root",
      nodes: [
        {
          name: "pve",
          address: net.host,
          cpuVendor: opts.cpuVendor ?? "amd",
          cpuThreads,
          memoryGb,
          reservedMemoryGb: profile.host.reservedMemoryGb,
        },
      ],
      cpuOvercommitRatio: profile.host.cpuOvercommitRatio,
      memoryOvercommitRatio: profile.host.memoryOvercommitRatio,
      storage: { templates: "local", iso: "local", rootfs: "local-lvm", backups: "local" },
    },
    network: {
      bridge: "vmbr0",
      cidr: net.cidr,
      gateway: net.gateway,
      dns: dnsGuest ? [dnsGuest, net.gateway] : [net.gateway, "1.1.1.1"],
      adminCidrs: [net.cidr],
    },
    ...(tiers.tunnel ? { cloudflare: { accountId: "0".repeat(32), zoneId: "0".repeat(32) } } : {}),
    ...tiers,
  };
  const valid = validateSiteConfig(name, values);
  const secrets = requiredSecrets(values);
  // Written with YAML 1.1 rules so that values such as "01:00" and "yes" stay quoted strings.
  const doc = new Document(
    { config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, v])) },
    { version: "1.1" },
  );
  const ns = (key: string) => `${PROJECT}:${key}`;
  commentKey(
    doc,
    ["config", ns("site"), "adminEmails"],
    "REPLACE: administrators (Cloudflare Access and alerts)",
  );
  commentKey(
    doc,
    ["config", ns("proxmox"), "nodes"],
    "REPLACE: node name as Proxmox shows it, CPU vendor (lscpu), threads and memory",
  );
  if (values.cloudflare)
    commentKey(
      doc,
      ["config", ns("cloudflare")],
      "REPLACE: the client's Cloudflare account and zone ids (not secrets)",
    );
  const commands = secrets.map(
    (s) => `pulumi config set --secret -s ${name} ${s.key}${s.input ? ` ${s.input}` : ""}`,
  );
  const width = Math.max(...commands.map((c) => c.length)) + 2;
  const setLines = commands.map((c, i) => `   ${c.padEnd(width)}# ${secrets[i].why}`);
  doc.commentBefore = [
    ` ${opts.client ?? name}: scaffolded from profile ${profile.name} (npm run new-client).`,
    ` ${profile.description}`,
    ` Network ${net.cidr}: gateway ${net.gateway}, Proxmox host ${net.host}, guests by tier from .10 (docs/onboarding.md).`,
    " Review every REPLACE below. Credentials never go in this file in clear; set them with:",
    ...setLines,
    " Every other password is generated by the program and kept as a Pulumi secret.",
  ].join("\n");
  return {
    values,
    allocations,
    secrets,
    fitted: fit.notes,
    warnings: valid.warnings.map(formatProblem),
    text: doc.toString({ lineWidth: 0 }),
  };
}
