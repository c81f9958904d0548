import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "./stack-file";
import { SiteConfigError } from "./problems";
import { secretConfigKeys, siteConfigKeys, type SecretConfigKey } from "./schema";
import { validateSiteConfig, type ValidSite } from "./validate";

/** Credentials from `secure:` config; undefined when the stack does not set them. */
export type SiteSecrets = Partial<Record<SecretConfigKey, pulumi.Output<string>>>;

export interface LoadedSite extends ValidSite {
  stack: string;
  secrets: SiteSecrets;
}

/**
 * True when Pulumi's runtime says a config value was not encrypted in the stack file (set without
 * `--secret`). The runtime exports `isConfigSecret` without typing it (@internal); where an SDK lacks
 * it the check is skipped rather than guessed (the credential-free plan checks the YAML itself).
 */
function isPlaintextConfig(fullKey: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return typeof runtime.isConfigSecret === "function" && !runtime.isConfigSecret(fullKey);
}

/**
 * The only place that reads `pulumi.Config`: returns the validated site, or throws one
 * SiteConfigError naming every problem before any resource is registered.
 */
export function loadSite(): LoadedSite {
  const stack = pulumi.getStack();
  const config = new pulumi.Config(PROJECT);
  const all = pulumi.runtime.allConfig();
  const known = new Set<string>([...siteConfigKeys, ...secretConfigKeys]);
  const raw: Record<string, unknown> = {};
  const unknownKeys: string[] = [];
  for (const fullKey of Object.keys(all)) {
    if (!fullKey.startsWith(`${PROJECT}:`)) continue;
    const key = fullKey.slice(PROJECT.length + 1);
    if (!known.has(key)) unknownKeys.push(key);
  }
  for (const key of siteConfigKeys) {
    const value = config.getObject<unknown>(key);
    if (value !== undefined) raw[key] = value;
  }
  for (const key of unknownKeys) raw[key] = all[`${PROJECT}:${key}`];
  const secrets: SiteSecrets = {};
  const plaintext: string[] = [];
  for (const key of secretConfigKeys) {
    const present = (all[`${PROJECT}:${key}`] ?? "") !== "";
    if (!present) continue;
    if (isPlaintextConfig(`${PROJECT}:${key}`)) plaintext.push(key);
    secrets[key] = config.requireSecret(key);
  }
  try {
    return { stack, secrets, ...validateSiteConfig(stack, raw, plaintext) };
  } catch (err) {
    if (err instanceof SiteConfigError) pulumi.log.error(err.message);
    throw err;
  }
}
