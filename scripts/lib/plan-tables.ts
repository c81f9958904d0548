import type { NodeCapacity } from "../../config/capacity";
import type { GuestPlan } from "../../config/inventory";
import type { SiteConfig } from "../../config/schema";
import { manualSteps, windowsMac } from "../../config/windows-address";
import type { PublishedService } from "../../config/wiring";

export interface IpPlanRow {
  vmid: number | null;
  key: string;
  hostname: string;
  ip: string;
  kind: string;
  role: string;
  /** How the address reaches the guest when the program cannot set it (absent: the program sets it). */
  setBy?: string;
}

export interface AllocationRow {
  vmid: number;
  key: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  priority: string;
  node: string;
}

/** Table 3.6 of the seed: every address of the site, host(s) first. */
export function ipPlan(site: SiteConfig, guests: readonly GuestPlan[]): IpPlanRow[] {
  const manual = new Set(manualSteps(site, guests).map((s) => s.guest));
  const rows: IpPlanRow[] = site.proxmox.nodes.map((n) => ({
    vmid: null,
    key: `host:${n.name}`,
    hostname: n.name,
    ip: n.address,
    kind: "host",
    role: "Proxmox VE node",
  }));
  for (const g of guests)
    rows.push({
      vmid: g.vmid,
      key: g.key,
      hostname: g.hostname,
      ip: g.ip,
      kind: g.kind,
      role: g.role,
      ...(manual.has(g.key)
        ? { setBy: `by hand: DHCP reservation for ${windowsMac(site)} or static in Windows` }
        : {}),
    });
  if (site.moodle?.vip) {
    rows.push({
      vmid: null,
      key: "moodle-vip",
      hostname: "(floating)",
      ip: site.moodle.vip,
      kind: "vip",
      role: "Moodle load balancer address (keepalived)",
    });
  }
  const num = (ip: string) => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  return rows.sort((a, b) => num(a.ip) - num(b.ip));
}

/** Table 3.8 of the seed: what each guest is given. */
export function allocation(guests: readonly GuestPlan[]): AllocationRow[] {
  return guests.map((g) => ({
    vmid: g.vmid,
    key: g.key,
    cores: g.cores,
    memoryMb: g.memoryMb,
    diskGb: g.diskGb,
    priority: g.priority,
    node: g.node,
  }));
}

/** A Markdown table; cells are escaped for pipes. */
export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const esc = (v: string | number) => String(v).replace(/\|/g, "\\|");
  return [
    `| ${headers.join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

export function ipPlanMarkdown(rows: IpPlanRow[]): string {
  return markdownTable(
    ["VMID", "Guest", "Hostname", "IP address", "Kind", "Purpose"],
    rows.map((r) => [
      r.vmid ?? "—",
      r.key,
      r.hostname,
      r.ip,
      r.kind,
      r.setBy ? `${r.role} — address ${r.setBy}` : r.role,
    ]),
  );
}

export function allocationMarkdown(rows: AllocationRow[]): string {
  return markdownTable(
    ["VMID", "Guest", "Cores", "Memory", "Disk", "Priority", "Node"],
    rows.map((r) => [
      r.vmid,
      r.key,
      r.cores,
      `${r.memoryMb / 1024} GB`,
      `${r.diskGb} GB`,
      r.priority,
      r.node,
    ]),
  );
}

export function capacityMarkdown(nodes: NodeCapacity[]): string {
  return markdownTable(
    ["Node", "Guests", "vCPUs allocated / allowed", "vCPU use", "Memory allocated / allowed", "Memory use"],
    nodes.map((n) => [
      n.node,
      n.guests,
      `${n.vcpus.allocated} / ${n.vcpus.limit} (${n.vcpus.physical} threads)`,
      `${n.vcpus.percentOfLimit}% ${n.vcpus.status}`,
      `${(n.memoryMb.allocated / 1024).toFixed(1)} / ${(n.memoryMb.limit / 1024).toFixed(1)} GB`,
      `${n.memoryMb.percentOfLimit}% ${n.memoryMb.status}`,
    ]),
  );
}

export function publishedMarkdown(services: PublishedService[]): string {
  return markdownTable(
    ["Hostname", "Origin", "Served by", "Access"],
    services.map((s) => [
      s.hostname,
      s.origin,
      s.target,
      s.admin ? "Cloudflare Access (admins)" : "public (own login)",
    ]),
  );
}
