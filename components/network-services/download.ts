/**
 * Pinned release downloads: a version, the asset's SHA-256, and a stamp so a second run downloads nothing.
 * Pure: no Pulumi import.
 */
import { shellQuote } from "../proxmox/script";

/** A release asset fixed by the stack: the script refuses any file whose SHA-256 differs. */
export interface PinnedRelease {
  /** Release version as its project writes it (AdGuard Home `v0.107.79`, cloudflared `2025.8.1`). */
  version: string;
  /** Lower-case hex SHA-256 of the downloaded asset, from the project's published checksums. */
  sha256: string;
  /** CPU architecture of the guest, default `amd64`. */
  arch?: "amd64" | "arm64";
}

/** Problem text when the SHA-256 is not 64 lower-case hex digits. */
export function sha256Problem(path: string, sha256: string): string | undefined {
  return /^[0-9a-f]{64}$/.test(sha256) ? undefined : `${path}: ${sha256} is not a lower-case hex SHA-256`;
}

/**
 * Bash that runs `install` (commands using the verified file at "$download") only when the stamp file does not
 * already name this version and checksum; it then writes the stamp and sets `flag=1`.
 */
export function renderPinnedInstall(spec: {
  url: string;
  sha256: string;
  stamp: string;
  stampValue: string;
  install: readonly string[];
  flag: string;
}): string {
  if (!/^https:\/\/[A-Za-z0-9./_~%-]+$/.test(spec.url))
    throw new Error(`unexpected download URL: ${spec.url}`);
  if (!/^[0-9a-f]{64}$/.test(spec.sha256)) throw new Error(`not a SHA-256: ${spec.sha256}`);
  if (!/^[a-z_][a-z0-9_]*$/.test(spec.flag)) throw new Error(`bad flag name: ${spec.flag}`);
  return [
    `if [ "$(cat ${shellQuote(spec.stamp)} 2>/dev/null || true)" != ${shellQuote(spec.stampValue)} ]; then`,
    '  download_dir="$(mktemp -d)"',
    '  download="$download_dir/asset"',
    `  curl -fsSL --retry 3 --proto '=https' -o "$download" ${shellQuote(spec.url)}`,
    `  if ! printf '%s  %s\\n' ${shellQuote(spec.sha256)} "$download" | sha256sum --check --status; then`,
    `    echo ${shellQuote(`checksum mismatch for ${spec.url}`)} >&2`,
    '    rm -rf "$download_dir"',
    "    exit 1",
    "  fi",
    ...spec.install.map((line) => `  ${line}`),
    `  install -d -m 0755 "$(dirname ${shellQuote(spec.stamp)})"`,
    `  printf '%s\\n' ${shellQuote(spec.stampValue)} >${shellQuote(spec.stamp)}`,
    '  rm -rf "$download_dir"',
    `  ${spec.flag}=1`,
    "fi",
  ].join("\n");
}
