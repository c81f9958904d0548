import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { secretConfigKeys } from "./schema";

export const PROJECT = "proxmox-sites";

/** A stack file read without Pulumi: plain values, and which keys hold `secure:` ciphertext. */
export interface StackFile {
  stack: string;
  /** Values under the project namespace, keyed without it. */
  values: Record<string, unknown>;
  /** Project keys whose value is `secure:` (not decryptable here). */
  secureKeys: string[];
  /** Keys of other namespaces (provider settings), kept as they are. */
  foreign: Record<string, unknown>;
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** Reads Pulumi.<stack>.yaml from `dir`. */
export function readStackFile(dir: string, stack: string): StackFile {
  const text = readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8");
  return parseStackFile(stack, text);
}

export function parseStackFile(stack: string, text: string): StackFile {
  const doc = (parse(text) ?? {}) as { config?: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  const foreign: Record<string, unknown> = {};
  const secureKeys: string[] = [];
  for (const [fullKey, value] of Object.entries(doc.config ?? {})) {
    const [namespace, key] = fullKey.includes(":") ? fullKey.split(/:(.*)/s, 2) : [PROJECT, fullKey];
    if (namespace !== PROJECT) {
      foreign[fullKey] = value;
    } else if (isSecure(value)) {
      secureKeys.push(key);
    } else {
      values[key] = value;
    }
  }
  return { stack, values, secureKeys, foreign };
}

/** Plain-text values of keys that must be secrets: a stack file must never hold these in clear. */
export function plaintextSecrets(file: StackFile): string[] {
  return secretConfigKeys.filter((k) => typeof file.values[k] === "string" && file.values[k] !== "");
}
