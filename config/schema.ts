import { z } from "zod";
import {
  backupsSchema,
  cloudflareSchema,
  firewallSchema,
  hardeningSchema,
  networkSchema,
  proxmoxSchema,
  siteSchema,
  templatesSchema,
} from "./platform-schema";
import {
  databaseSchema,
  frappeSchema,
  gpuHostSchema,
  moodleSchema,
  monitoringSchema,
  networkServicesSchema,
  nextcloudSchema,
  printServerSchema,
  redisSchema,
  simpleAppSchema,
  tunnelSchema,
  webAppsSchema,
  windowsGpuSchema,
} from "./tiers-schema";
import { nextcloudInstanceKey } from "./primitives";

/**
 * The whole stack file (keys under the `proxmox-sites:` namespace). Site basics, the Proxmox
 * target and the network are required; each tier key is optional and a stack builds exactly
 * the tiers it lists.
 */
export const siteConfigSchema = z
  .object({
    site: siteSchema,
    proxmox: proxmoxSchema,
    network: networkSchema,
    cloudflare: cloudflareSchema.optional(),
    templates: templatesSchema.default({}),
    /** Protect stateful guests and data volumes from delete/replace (default on). */
    protectStateful: z.boolean().default(true),
    /** Public keys put into every guest's root account. */
    sshPublicKeys: z.array(z.string().regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-\S+) \S+/)).default([]),
    backups: backupsSchema.optional(),
    firewall: firewallSchema.default({ enabled: true, extraRules: [] }),
    hardening: hardeningSchema.optional(),
    database: databaseSchema.optional(),
    redis: redisSchema.optional(),
    nextcloud: z.record(nextcloudInstanceKey, nextcloudSchema).optional(),
    frappe: frappeSchema.optional(),
    snipeIt: simpleAppSchema.optional(),
    passbolt: simpleAppSchema.optional(),
    printServer: printServerSchema.optional(),
    webApps: webAppsSchema.optional(),
    monitoring: monitoringSchema.optional(),
    networkServices: networkServicesSchema.optional(),
    moodle: moodleSchema.optional(),
    windowsGpu: windowsGpuSchema.optional(),
    gpuHost: gpuHostSchema.optional(),
    tunnel: tunnelSchema.optional(),
  })
  .strict();

/** The validated stack configuration every component is built from. */
export type SiteConfig = z.infer<typeof siteConfigSchema>;

/** Top-level keys of the stack file, in the order the docs list them. */
export const siteConfigKeys = Object.keys(siteConfigSchema.shape) as (keyof SiteConfig)[];

/** Secrets read with `config.getSecret`; never part of SiteConfig's plain values. */
export const secretConfigKeys = [
  "proxmoxApiToken",
  "proxmoxSshPrivateKey",
  "proxmoxRootPassword",
  "cloudflareApiToken",
  "alertSmtpPassword",
  "telegramBotToken",
  "pveExporterToken",
] as const;

export type SecretConfigKey = (typeof secretConfigKeys)[number];
