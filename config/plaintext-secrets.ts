import type { ConfigProblem } from "./problems";
import { secretConfigKeys } from "./schema";

const secretKeys = new Set<string>(secretConfigKeys);

/** True for the keys that hold credentials (they must be `secure:` in a stack file). */
export function isSecretConfigKey(key: string): boolean {
  return secretKeys.has(key);
}

/**
 * The problem of a credential written in plain text. The value itself is never repeated: it is a
 * credential, and the message ends up in terminals and CI logs.
 */
export function plaintextSecretProblem(key: string): ConfigProblem {
  return {
    path: key,
    message:
      "is written in plain text; a credential must be encrypted in the stack file: " +
      `run \`pulumi config set --secret ${key}\` (it replaces the plain value)`,
  };
}

/**
 * Splits the secret keys out of a raw stack configuration: the plain values left for the schema, and
 * the secret keys that hold plain text. `raw` holds plain values only (a `secure:` value is not in it:
 * `readStackFile` keeps those apart and `loadSite` reads them as secrets), so any non-empty string
 * under a secret key was written in clear.
 */
export function separateSecretKeys(raw: Record<string, unknown>): {
  plain: Record<string, unknown>;
  plaintextSecretKeys: string[];
} {
  const plain: Record<string, unknown> = {};
  const plaintextSecretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!isSecretConfigKey(key)) plain[key] = value;
    else if (value !== undefined && value !== null && value !== "") plaintextSecretKeys.push(key);
  }
  return { plain, plaintextSecretKeys };
}
