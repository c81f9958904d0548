/**
 * Pinned release downloads: a version, the asset's SHA-256, and a stamp so a second run downloads nothing.
 * Pure: no Pulumi import.
 */
import { shellQuote } from "../proxmox/shell-quote";

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

/** A release fixed by version only: its digest comes from the release's own published checksum list. */
export interface VersionedRelease extends Omit<PinnedRelease, "sha256"> {
  /** When set, the download must have this SHA-256; otherwise the release's checksum list decides. */
  sha256?: string;
}

const httpsUrl = /^https:\/\/[A-Za-z0-9.:/_~%-]+$/;

/**
 * Bash that runs `install` (commands using the verified file at "$download") only when the stamp file does not
 * already name this version and checksum; it then writes the stamp and sets `flag=1`. The expected SHA-256 is
 * `sha256` when the stack pins it, else the line for `checksums.asset` in the release's `checksums.url` list
 * (fetched over https from the same release: weaker than a pin, stronger than none).
 */
export function renderPinnedInstall(spec: {
  url: string;
  sha256?: string;
  checksums?: { url: string; asset: string };
  stamp: string;
  stampValue: string;
  install: readonly string[];
  flag: string;
}): string {
  if (!httpsUrl.test(spec.url)) throw new Error(`unexpected download URL: ${spec.url}`);
  if (spec.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(spec.sha256))
    throw new Error(`not a SHA-256: ${spec.sha256}`);
  if (spec.sha256 === undefined && !spec.checksums)
    throw new Error(`${spec.url}: neither a SHA-256 nor a checksum list`);
  if (spec.checksums && !httpsUrl.test(spec.checksums.url))
    throw new Error(`unexpected checksum URL: ${spec.checksums.url}`);
  if (spec.checksums && !/^[\w.+-]+$/.test(spec.checksums.asset))
    throw new Error(`bad asset name: ${spec.checksums.asset}`);
  if (!/^[a-z_][a-z0-9_]*$/.test(spec.flag)) throw new Error(`bad flag name: ${spec.flag}`);
  const expected =
    spec.sha256 !== undefined
      ? [`  expected_sha256=${shellQuote(spec.sha256)}`]
      : [
          `  expected_sha256="$(curl -fsSL --retry 3 --proto '=https' ${shellQuote(spec.checksums!.url)} | awk -v asset=${shellQuote(spec.checksums!.asset)} '!found && ($2 == asset || $2 == "./" asset || $2 == "*" asset) { print $1; found = 1 }')"`,
          "  if ! printf '%s' \"$expected_sha256\" | grep -Eq '^[0-9a-f]{64}$'; then",
          `    echo ${shellQuote(`no SHA-256 for ${spec.checksums!.asset} in ${spec.checksums!.url}`)} >&2`,
          '    rm -rf "$download_dir"',
          "    exit 1",
          "  fi",
        ];
  return [
    `if [ "$(cat ${shellQuote(spec.stamp)} 2>/dev/null || true)" != ${shellQuote(spec.stampValue)} ]; then`,
    '  download_dir="$(mktemp -d)"',
    '  download="$download_dir/asset"',
    ...expected,
    `  curl -fsSL --retry 3 --proto '=https' -o "$download" ${shellQuote(spec.url)}`,
    `  if ! printf '%s  %s\\n' "$expected_sha256" "$download" | sha256sum --check --status; then`,
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
