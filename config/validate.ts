import type { z } from "zod";
import { crossCheck } from "./crosschecks";
import { withSortedKeys } from "./key-order";
import { plaintextSecretProblem, separateSecretKeys } from "./plaintext-secrets";
import { SiteConfigError, type ConfigProblem } from "./problems";
import { siteConfigSchema, type SiteConfig } from "./schema";

export interface ValidSite {
  config: SiteConfig;
  warnings: ConfigProblem[];
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = issue.path.map(String).join(".") || "(stack)";
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: path === "(stack)" ? key : `${path}.${key}`,
        message: "is not a known key (check its spelling against docs/configuration.md)",
      }));
    case "invalid_type":
      if (input === undefined) return [{ path, message: `is required: expected ${issue.expected}` }];
      return [{ path, message: `expected ${issue.expected}, found ${show(input)}` }];
    case "invalid_key":
      // A map key of the wrong shape: the key's own schema says why.
      return [
        {
          path,
          message: `the key ${show(input)} ${issue.issues.map((i) => i.message).join("; ")}`,
        },
      ];
    case "invalid_value":
      return [
        {
          path,
          message: `found ${show(input)}, expected one of ${issue.values.map((v) => show(v)).join(", ")}`,
        },
      ];
    default:
      return [{ path, message: input === undefined ? issue.message : `${show(input)} ${issue.message}` }];
  }
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return true;
  return typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** Pulumi.yaml gives optional keys an empty default ({} or ""): an empty key is an absent key. */
export function dropEmptyKeys(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => !isEmpty(value)));
}

/**
 * Validates a raw stack configuration (what `pulumi.Config` holds under the project namespace) and
 * returns the typed site, or throws one SiteConfigError naming every problem. `plaintextSecretKeys`
 * names credential keys the caller found set without encryption (`loadSite` asks Pulumi's runtime);
 * a plain string under a credential key in `raw` itself is found here. Every map's keys are sorted
 * first, so nothing derived from the site depends on the order a stack file lists them in.
 */
export function validateSiteConfig(
  stack: string,
  raw: unknown,
  plaintextSecretKeys: readonly string[] = [],
): ValidSite {
  const isMap = raw && typeof raw === "object" && !Array.isArray(raw);
  const split = isMap
    ? separateSecretKeys(raw as Record<string, unknown>)
    : { plain: raw, plaintextSecretKeys: [] };
  const secretProblems = [...new Set([...plaintextSecretKeys, ...split.plaintextSecretKeys])]
    .sort()
    .map(plaintextSecretProblem);
  const input = isMap ? withSortedKeys(dropEmptyKeys(split.plain as Record<string, unknown>)) : raw;
  const parsed = siteConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success)
    throw new SiteConfigError(stack, [...secretProblems, ...parsed.error.issues.flatMap(describeIssue)]);
  const { errors, warnings } = crossCheck(parsed.data);
  if (secretProblems.length + errors.length > 0)
    throw new SiteConfigError(stack, [...secretProblems, ...errors]);
  return { config: parsed.data, warnings };
}
