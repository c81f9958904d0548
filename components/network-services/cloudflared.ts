/**
 * The Cloudflare Tunnel connector: a pinned cloudflared .deb (checked against its SHA-256) and a systemd
 * service running the remotely-managed tunnel from a token file. Usable on any Debian/Ubuntu guest with
 * systemd (the school stack picks its own). Pure: no Pulumi import.
 *
 * The token reaches the guest only through the stdin prelude (CLOUDFLARED_TUNNEL_TOKEN) and is written to
 * /etc/cloudflared/token, root-only (0600), without a trailing newline. The unit reads it with `--token-file` (cloudflared ≥ 2025.4.0), so
 * the token is never on a command line or in the unit. The connector restarts only when the token, the unit
 * or the installed version changed.
 */
import { cloudflaredVersionProblem } from "../../config/pinned-versions";
import { throwIfProblems } from "../proxmox/problems";
import { GuestFile, renderScript } from "../proxmox/script";
import { shellQuote } from "../proxmox/shell-quote";
import { renderAptInstall } from "../proxmox/apt";
import { renderSecretCheck } from "../proxmox/secret-checks";
import { ipProblem, portProblem } from "../webapps/validate";
import { PinnedRelease, renderPinnedInstall, sha256Problem } from "./download";

/** Prelude variable holding the tunnel token. */
export const CLOUDFLARED_TOKEN_ENV = "CLOUDFLARED_TUNNEL_TOKEN";

export const CLOUDFLARED_TOKEN_FILE = "/etc/cloudflared/token";

export interface CloudflaredInput extends PinnedRelease {
  /**
   * `address:port` for cloudflared's Prometheus metrics (e.g. `192.168.0.30:20241`, scraped by monitoring);
   * default: cloudflared's own choice on localhost.
   */
  metricsAddress?: string;
  /** Download base (a mirror): `<baseUrl>/<version>/cloudflared-linux-<arch>.deb`. Default GitHub's. */
  baseUrl?: string;
}

/** Where cloudflared's releases are published. */
export const CLOUDFLARED_RELEASES = "https://github.com/cloudflare/cloudflared/releases/download";

function versionProblem(version: string): string | undefined {
  const problem = cloudflaredVersionProblem(version);
  return problem && `cloudflared.version: ${problem}`;
}

function validate(input: CloudflaredInput): void {
  const problems = [versionProblem(input.version), sha256Problem("cloudflared.sha256", input.sha256)];
  if (input.baseUrl !== undefined && !/^https:\/\/[A-Za-z0-9.:/_-]+[^/]$/.test(input.baseUrl)) {
    problems.push(`cloudflared.baseUrl: ${input.baseUrl} is not an https URL without a trailing slash`);
  }
  if (input.metricsAddress !== undefined) {
    const [host, port] = input.metricsAddress.split(/:(?=\d+$)/);
    problems.push(
      ipProblem("cloudflared.metricsAddress", host),
      portProblem("cloudflared.metricsAddress", Number(port)),
    );
  }
  throwIfProblems("cloudflared connector", problems);
}

/** The systemd unit: root without capabilities (it only makes outbound connections), no auto-update. */
export function renderCloudflaredUnit(input: CloudflaredInput): string {
  const metrics = input.metricsAddress ? ` --metrics ${input.metricsAddress}` : "";
  return [
    "[Unit]",
    "Description=Cloudflare Tunnel connector (proxmox-sites)",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=notify",
    `ExecStart=/usr/bin/cloudflared --no-autoupdate tunnel${metrics} run --token-file ${CLOUDFLARED_TOKEN_FILE}`,
    "Restart=on-failure",
    "RestartSec=5s",
    "TimeoutStartSec=0",
    "NoNewPrivileges=yes",
    "CapabilityBoundingSet=",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/**
 * Bash writing the token to /etc/cloudflared/token (0600 root) when it differs byte for byte, without a trailing
 * newline (the token is base64 that cloudflared decodes as read); a change sets `cloudflared_restart=1`.
 * Honours PROVISION_ROOT like the file steps.
 */
export function renderCloudflaredTokenStep(): string {
  return [
    `token_file="\${PROVISION_ROOT:-}"${shellQuote(CLOUDFLARED_TOKEN_FILE)}`,
    'install -d -m 0755 "$(dirname "$token_file")"',
    `if ! printf '%s' "$${CLOUDFLARED_TOKEN_ENV}" | cmp -s - "$token_file"; then`,
    '  staged_token="$(mktemp "$token_file.XXXXXX")"',
    `  printf '%s' "$${CLOUDFLARED_TOKEN_ENV}" >"$staged_token"`,
    '  chmod 0600 "$staged_token"',
    '  mv -f "$staged_token" "$token_file"',
    "  cloudflared_restart=1",
    "fi",
    '[ "$(stat -c %a "$token_file")" = 600 ] || chmod 0600 "$token_file"',
    'chown root:root "$token_file" 2>/dev/null || true',
  ].join("\n");
}

/** The unit file; a change marks the connector for a reload and restart. */
export function cloudflaredFiles(input: CloudflaredInput): GuestFile[] {
  validate(input);
  return [
    {
      path: "/etc/systemd/system/cloudflared.service",
      content: renderCloudflaredUnit(input),
      mode: "0644",
      onChange: "cloudflared_restart=1\ncloudflared_unit_changed=1",
    },
  ];
}

/** Idempotent script installing and running the tunnel connector on any Debian/Ubuntu guest. */
export function renderCloudflaredScript(input: CloudflaredInput): string {
  validate(input);
  const arch = input.arch ?? "amd64";
  const url = `${input.baseUrl ?? CLOUDFLARED_RELEASES}/${input.version}/cloudflared-linux-${arch}.deb`;
  const setup = [
    renderSecretCheck(CLOUDFLARED_TOKEN_ENV, "single-line"),
    renderAptInstall(["ca-certificates", "curl"]),
    "cloudflared_restart=0",
    "cloudflared_unit_changed=0",
    "[ -x /usr/bin/cloudflared ] || rm -f /etc/cloudflared/.installed-deb",
    renderPinnedInstall({
      url,
      sha256: input.sha256,
      stamp: "/etc/cloudflared/.installed-deb",
      stampValue: `${input.version} ${input.sha256}`,
      install: ['dpkg -i "$download" >/dev/null'],
      flag: "cloudflared_restart",
    }),
  ].join("\n");
  const body = [
    renderCloudflaredTokenStep(),
    'if [ "$cloudflared_unit_changed" = 1 ]; then systemctl daemon-reload; fi',
    "systemctl is-enabled --quiet cloudflared || systemctl enable --quiet cloudflared",
    'if [ "$cloudflared_restart" = 1 ]; then',
    "  systemctl restart cloudflared",
    "elif ! systemctl is-active --quiet cloudflared; then",
    "  systemctl start cloudflared",
    "fi",
  ].join("\n");
  return renderScript({
    summary: `Cloudflare Tunnel connector: cloudflared ${input.version} as a service, token from ${CLOUDFLARED_TOKEN_ENV}.`,
    requiredEnv: [CLOUDFLARED_TOKEN_ENV],
    setup,
    files: cloudflaredFiles(input),
    body,
  });
}
