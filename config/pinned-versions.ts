/**
 * Rules for pinned releases the stack names, shared by the schema (checked at the stack key) and the
 * renderers that install them. Pure: no Pulumi import.
 */

/** Oldest cloudflared with `tunnel run --token-file`, which keeps the token off the command line. */
export const CLOUDFLARED_MINIMUM_VERSION = "2025.4.0";

/** Why `version` is not a usable cloudflared release (YYYY.M.P, at least 2025.4.0), or undefined. */
export function cloudflaredVersionProblem(version: string): string | undefined {
  const match = /^(\d{4})\.(\d{1,2})\.(\d{1,3})$/.exec(version);
  if (!match) return `${version} is not a cloudflared release (YYYY.M.P)`;
  const parts = match.slice(1).map(Number);
  const minimum = CLOUDFLARED_MINIMUM_VERSION.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if (parts[i] !== minimum[i])
      return parts[i] > minimum[i]
        ? undefined
        : `${version} predates --token-file (${CLOUDFLARED_MINIMUM_VERSION})`;
  }
  return undefined;
}
