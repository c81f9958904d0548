/**
 * The communication matrix (who may reach whom, on which port, and why) for the plan, the README and
 * proposals, plus its Markdown table. Pure: no Pulumi import.
 */
import { EVERY_GUEST, PROTOCOLS, type Protocol } from "../../config/service-edge";
import { formatPorts, resolveFirewallModel, type FirewallModel, type ResolvedModel } from "./model";

export interface MatrixRow {
  /** Source guest hostname, or the named source's label. */
  from: string;
  /** The source addresses, comma-separated. */
  fromCidrs: string;
  /** Destination hostname, or `every guest` for an edge to every guest (admin SSH). */
  to: string;
  /** Destination VMID; 0 for an edge to every guest. */
  toVmid: number;
  /** Port list (`80,443`) or `-` for icmp/vrrp. */
  ports: string;
  proto: Protocol;
  purpose: string;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rows from an already resolved model: the edges to every guest (admin SSH) first, then by destination
 * VMID, protocol, ports, source.
 */
export function matrixFromResolved(model: ResolvedModel): MatrixRow[] {
  const rows: MatrixRow[] = model.edges.map((e) => ({
    from: e.fromLabel,
    fromCidrs: e.sources.map((c) => c.text).join(","),
    to: e.to === EVERY_GUEST ? "every guest" : e.to.hostname,
    toVmid: e.to === EVERY_GUEST ? 0 : e.to.vmid,
    ports: e.ports.length > 0 ? formatPorts(e.ports) : "-",
    proto: e.protocol,
    purpose: e.purpose,
  }));
  rows.sort(
    (a, b) =>
      a.toVmid - b.toVmid ||
      PROTOCOLS.indexOf(a.proto) - PROTOCOLS.indexOf(b.proto) ||
      (Number.parseInt(a.ports, 10) || 0) - (Number.parseInt(b.ports, 10) || 0) ||
      compareText(a.ports, b.ports) ||
      compareText(a.from, b.from) ||
      compareText(a.fromCidrs, b.fromCidrs) ||
      compareText(a.purpose, b.purpose),
  );
  return rows;
}

/** Validates the model (throws FirewallModelError) and builds its matrix. */
export function buildFirewallMatrix(model: FirewallModel): MatrixRow[] {
  return matrixFromResolved(resolveFirewallModel(model));
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** A Markdown table of the matrix; everything not listed is dropped (policy DROP inbound). */
export function renderFirewallMatrixMarkdown(rows: readonly MatrixRow[]): string {
  const lines = [
    "| From | Source addresses | To | Port | Proto | Purpose |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${cell(r.from)} | ${cell(r.fromCidrs)} | ${cell(r.toVmid ? `${r.to} (${r.toVmid})` : r.to)} | ` +
        `${r.ports} | ${r.proto} | ${cell(r.purpose)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
