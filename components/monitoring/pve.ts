/**
 * prometheus-pve-exporter on the monitoring guest: its module file and systemd unit. It reads the
 * Proxmox API with a read-only token (PVEAuditor) and serves /pve?target=<host>. Pure.
 */
import { renderYaml, yamlSecret } from "../proxmox/yaml-text";
import { PVE_EXPORTER_CONFIG_PATH, PVE_EXPORTER_VENV } from "./paths";
import { PVE_EXPORTER_PORT } from "./ports";

/** Placeholder for the API token's secret value (filled from the stdin prelude). */
export const PVE_EXPORTER_TOKEN_PLACEHOLDER = yamlSecret("PVE_EXPORTER_TOKEN_VALUE");

export interface PveExporterInput {
  /** Full API token id, `user@realm!tokenname`, e.g. "prometheus@pve!monitoring" (not secret). */
  tokenId: string;
  /**
   * Verify the Proxmox API's TLS certificate; default false, because a stock node serves a
   * self-signed certificate (set true once the node has a trusted one).
   */
  verifyTls?: boolean;
  /** host:port pve-exporter listens on; default 127.0.0.1:9221 (only Prometheus on the same guest). */
  listenAddress?: string;
}

/** Splits `user@realm!name` into pve-exporter's `user` and `token_name`. */
export function parsePveTokenId(tokenId: string): { user: string; tokenName: string } {
  const match = /^([^\s@!]+@[^\s@!]+)!([A-Za-z][A-Za-z0-9._-]*)$/.exec(tokenId);
  if (!match) throw new Error(`pve-exporter tokenId: "${tokenId}" is not user@realm!tokenname`);
  return { user: match[1], tokenName: match[2] };
}

/** /etc/prometheus/pve.yml: one module, "default", authenticating with the API token. */
export function renderPveExporterConfig(input: PveExporterInput): string {
  const { user, tokenName } = parsePveTokenId(input.tokenId);
  const config = {
    default: {
      user,
      token_name: tokenName,
      token_value: PVE_EXPORTER_TOKEN_PLACEHOLDER,
      verify_ssl: input.verifyTls ?? false,
    },
  };
  return `# Rendered by proxmox-sites (monitoring): pve-exporter's API token.\n${renderYaml(config)}`;
}

/** systemd unit running pve-exporter from its virtual environment as the prometheus user. */
export function renderPveExporterUnit(input: Pick<PveExporterInput, "listenAddress"> = {}): string {
  const listen = input.listenAddress ?? `127.0.0.1:${PVE_EXPORTER_PORT}`;
  return [
    "# Rendered by proxmox-sites (monitoring)",
    "[Unit]",
    "Description=Prometheus exporter for Proxmox VE",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "User=prometheus",
    "Group=prometheus",
    `ExecStart=${PVE_EXPORTER_VENV}/bin/pve_exporter --config.file=${PVE_EXPORTER_CONFIG_PATH} --web.listen-address=${listen}`,
    "Restart=on-failure",
    "RestartSec=5",
    "NoNewPrivileges=true",
    "ProtectSystem=full",
    "ProtectHome=true",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
