/**
 * Which input changes make Pulumi replace a resource rather than update it in place, from the
 * providers' schemas as recorded in FIELD-NOTES.md. A changed path equal to or under one of these
 * forces replacement. For a remote command a replacement is a re-run of its script, not a loss.
 */
export const FORCE_NEW_PATHS: Readonly<Record<string, readonly string[]>> = {
  "proxmoxve:index/containerLegacy:ContainerLegacy": [
    "mountPoints",
    "operatingSystem.templateFileId",
    "unprivileged",
    "nodeName",
    "disk.datastoreId",
    "initialization.userAccount",
    "poolId",
    "vmId",
  ],
  "proxmoxve:index/vmLegacy:VmLegacy": ["vmId", "nodeName", "tpmState.version"],
  "command:remote:Command": ["triggers"],
  "command:local:Command": ["triggers"],
  "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared": ["configSrc"],
};

/** Types whose replacement re-runs a script instead of destroying something that holds data. */
export const RERUN_TYPES: ReadonlySet<string> = new Set(["command:remote:Command", "command:local:Command"]);

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`);

/**
 * Why changing `path` from `before` to `after` replaces a resource of `type`, or undefined when
 * it updates in place. Shrinking a container's root disk is refused by Proxmox and so replaces.
 */
export function replaceReason(
  type: string,
  path: string,
  before: unknown,
  after: unknown,
): string | undefined {
  const prefix = (FORCE_NEW_PATHS[type] ?? []).find((p) => under(path, p));
  if (prefix) return prefix === path ? `${path} changed` : `${prefix} changed (${path})`;
  if (
    type === "proxmoxve:index/containerLegacy:ContainerLegacy" &&
    path === "disk.size" &&
    typeof before === "number" &&
    typeof after === "number" &&
    after < before
  )
    return `disk.size shrinks (${before} → ${after} GB)`;
  return undefined;
}
