/**
 * AdGuard Home on the network-services guest: the pinned release tarball (checked against its SHA-256), its
 * configuration, and a systemd service running it as an unprivileged user allowed to bind port 53.
 *
 * The admin password never leaves the stdin prelude in clear and its hash is never committed: the script keeps
 * a bcrypt hash in /etc/adguardhome/admin.htpasswd (0600), made in the guest by `htpasswd -B` from
 * ADGUARD_ADMIN_PASSWORD, and makes a new one only when the current one no longer verifies (bcrypt salts each
 * hash, so hashing on every run would change the config every run). AdGuard Home rewrites its own config file
 * when settings change in the UI, so the script compares against its own copy of what it last applied, not
 * against the live file. Pure: no Pulumi import.
 */
import { renderScript } from "../proxmox/script";
import { throwIfProblems } from "../proxmox/problems";
import { shellQuote } from "../proxmox/shell-quote";
import { renderAptInstall } from "../proxmox/apt";
import { renderSecretCheck } from "../proxmox/secret-checks";
import { ADGUARD_HASH_MARKER, AdGuardHomeConfigInput, renderAdGuardHomeConfig } from "./adguard-config";
import { VersionedRelease, renderPinnedInstall, sha256Problem } from "./download";

/** AdGuard Home's release downloads: `<base>/<version>/<file>`. */
export const ADGUARD_RELEASES = "https://github.com/AdguardTeam/AdGuardHome/releases/download";

/** AdGuard Home publishes checksums.txt with every release: the version alone is enough to verify. */
export interface AdGuardHomeInput extends AdGuardHomeConfigInput, VersionedRelease {
  /** Download base (a mirror): `<baseUrl>/<version>/AdGuardHome_linux_<arch>.tar.gz` and `checksums.txt`. Default GitHub's. */
  baseUrl?: string;
}

/** Prelude variable holding the web UI admin's password. */
export const ADGUARD_PASSWORD_ENV = "ADGUARD_ADMIN_PASSWORD";

/** Where things live in the guest. */
export const ADGUARD_PATHS = {
  binary: "/opt/AdGuardHome/AdGuardHome",
  installStamp: "/opt/AdGuardHome/.installed-release",
  workDir: "/var/lib/adguardhome",
  liveConfig: "/var/lib/adguardhome/AdGuardHome.yaml",
  template: "/etc/adguardhome/AdGuardHome.template.yaml",
  applied: "/etc/adguardhome/AdGuardHome.applied.yaml",
  adminHash: "/etc/adguardhome/admin.htpasswd",
  unit: "/etc/systemd/system/adguardhome.service",
} as const;

/** Oldest release that reads configuration schema 34. */
const minimumPatch = 74;

function versionProblem(version: string): string | undefined {
  const match = /^v0\.(\d+)\.(\d+)$/.exec(version);
  if (!match) return `adguard.version: ${version} is not an AdGuard Home release (v0.107.N)`;
  const [minor, patch] = [Number(match[1]), Number(match[2])];
  return minor > 107 || (minor === 107 && patch >= minimumPatch)
    ? undefined
    : `adguard.version: ${version} predates config schema 34 (v0.107.${minimumPatch})`;
}

/**
 * Bash that makes sure the admin hash verifies ADGUARD_ADMIN_PASSWORD (hashing anew only when it does not),
 * fills the template's marker with it, and installs the result as the live config when it differs from what was
 * last applied; it then sets `adguard_restart=1`. Honours PROVISION_ROOT like the file steps.
 */
export function renderAdGuardConfigApplyStep(adminUser = "admin"): string {
  const user = shellQuote(adminUser);
  const p = (path: string) => `"\${PROVISION_ROOT:-}"${shellQuote(path)}`;
  return [
    `hash_file=${p(ADGUARD_PATHS.adminHash)}`,
    'install -d -m 0750 "$(dirname "$hash_file")"',
    `if ! [ -s "$hash_file" ] || ! printf '%s\\n' "$${ADGUARD_PASSWORD_ENV}" | htpasswd -vi "$hash_file" ${user} >/dev/null 2>&1; then`,
    '  staged_hash="$(mktemp "$hash_file.XXXXXX")"',
    `  printf '%s\\n' "$${ADGUARD_PASSWORD_ENV}" | htpasswd -ciB -C 10 "$staged_hash" ${user} >/dev/null 2>&1`,
    '  chmod 0600 "$staged_hash"',
    '  mv -f "$staged_hash" "$hash_file"',
    "fi",
    'admin_hash="$(cut -d: -f2- "$hash_file")"',
    `template="$(cat ${p(ADGUARD_PATHS.template)})"`,
    `config="\${template//${ADGUARD_HASH_MARKER}/"$admin_hash"}"`,
    `applied=${p(ADGUARD_PATHS.applied)}`,
    `live=${p(ADGUARD_PATHS.liveConfig)}`,
    `if [ ! -f "$live" ] || ! printf '%s\\n' "$config" | cmp -s - "$applied"; then`,
    '  install -d -m 0750 "$(dirname "$live")"',
    '  staged_config="$(mktemp)"',
    `  printf '%s\\n' "$config" >"$staged_config"`,
    '  install -m 0600 "$staged_config" "$live"',
    '  chown adguardhome:adguardhome "$live" "$(dirname "$live")" 2>/dev/null || true',
    '  install -m 0600 "$staged_config" "$applied"',
    '  rm -f "$staged_config"',
    "  adguard_restart=1",
    "fi",
  ].join("\n");
}

/** The systemd unit: its own user, only CAP_NET_BIND_SERVICE (port 53), no self-update. */
export function renderAdGuardHomeUnit(): string {
  return [
    "[Unit]",
    "Description=AdGuard Home DNS (proxmox-sites)",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "User=adguardhome",
    "Group=adguardhome",
    `WorkingDirectory=${ADGUARD_PATHS.workDir}`,
    `ExecStart=${ADGUARD_PATHS.binary} --no-check-update -c ${ADGUARD_PATHS.liveConfig} -w ${ADGUARD_PATHS.workDir}`,
    "AmbientCapabilities=CAP_NET_BIND_SERVICE",
    "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
    "NoNewPrivileges=yes",
    "ProtectSystem=full",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "Restart=on-failure",
    "RestartSec=5s",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** Idempotent script installing and configuring AdGuard Home (the guest needs internet for the download). */
export function renderAdGuardHomeScript(input: AdGuardHomeInput): string {
  throwIfProblems("AdGuard Home release", [
    versionProblem(input.version),
    input.sha256 === undefined ? undefined : sha256Problem("adguard.sha256", input.sha256),
    input.baseUrl === undefined || /^https:\/\/[A-Za-z0-9.:/_-]+[^/]$/.test(input.baseUrl)
      ? undefined
      : `adguard.baseUrl: ${input.baseUrl} is not an https URL without a trailing slash`,
  ]);
  const config = renderAdGuardHomeConfig(input);
  const arch = input.arch ?? "amd64";
  const release = `${input.baseUrl ?? ADGUARD_RELEASES}/${input.version}`;
  const asset = `AdGuardHome_linux_${arch}.tar.gz`;
  const url = `${release}/${asset}`;
  const setup = [
    renderSecretCheck(ADGUARD_PASSWORD_ENV, "single-line"),
    renderAptInstall(["apache2-utils", "ca-certificates", "curl"]),
    "if ! id -u adguardhome >/dev/null 2>&1; then",
    `  useradd --system --home-dir ${ADGUARD_PATHS.workDir} --no-create-home --shell /usr/sbin/nologin adguardhome`,
    "fi",
    `install -d -m 0750 -o adguardhome -g adguardhome ${ADGUARD_PATHS.workDir}`,
    "install -d -m 0750 /etc/adguardhome",
    "adguard_restart=0",
    "adguard_unit_changed=0",
    `[ -x ${ADGUARD_PATHS.binary} ] || rm -f ${ADGUARD_PATHS.installStamp}`,
    renderPinnedInstall({
      url,
      sha256: input.sha256,
      checksums: { url: `${release}/checksums.txt`, asset },
      stamp: ADGUARD_PATHS.installStamp,
      stampValue: `${input.version} ${input.sha256 ?? "published"}`,
      install: [
        'tar -xzf "$download" -C "$download_dir"',
        "install -d -m 0755 /opt/AdGuardHome",
        `install -m 0755 "$download_dir/AdGuardHome/AdGuardHome" ${ADGUARD_PATHS.binary}`,
      ],
      flag: "adguard_restart",
    }),
  ].join("\n");
  const body = [
    renderAdGuardConfigApplyStep(input.adminUser),
    'if [ "$adguard_unit_changed" = 1 ]; then systemctl daemon-reload; fi',
    "systemctl is-enabled --quiet adguardhome || systemctl enable --quiet adguardhome",
    'if [ "$adguard_restart" = 1 ]; then',
    "  systemctl restart adguardhome",
    "elif ! systemctl is-active --quiet adguardhome; then",
    "  systemctl start adguardhome",
    "fi",
  ].join("\n");
  return renderScript({
    summary: `AdGuard Home ${input.version}: DNS on ${input.listenAddress}:${input.dnsPort ?? 53}, UI on port ${input.webPort ?? 3000}.`,
    requiredEnv: [ADGUARD_PASSWORD_ENV],
    setup,
    files: [
      { path: ADGUARD_PATHS.template, content: config, mode: "0640" },
      {
        path: ADGUARD_PATHS.unit,
        content: renderAdGuardHomeUnit(),
        mode: "0644",
        onChange: "adguard_unit_changed=1\nadguard_restart=1",
      },
    ],
    body,
  });
}
