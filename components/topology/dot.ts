/**
 * Renders the topology model as Graphviz DOT: left to right from the Internet through the
 * tunnel to the guests, one cluster per Proxmox host and per tier inside it, boxes listing
 * each guest's hostname, VMID, address and size. Pure: text out, no Pulumi import.
 */
import type { Tier } from "../../config/inventory";
import type { LinkEnd, TopologyGroup, TopologyMember, TopologyModel } from "./model";

/** Fill colours per tier: header of each box and a light tint for its cluster. */
const TIER_COLOURS: Record<Tier, { header: string; tint: string }> = {
  "network-services": { header: "#cfe2f3", tint: "#f3f8fd" },
  web: { header: "#d9ead3", tint: "#f5faf3" },
  moodle: { header: "#fce5cd", tint: "#fef8f1" },
  nextcloud: { header: "#d0e0e3", tint: "#f3f8f9" },
  frappe: { header: "#ead1dc", tint: "#fbf4f7" },
  "snipe-it": { header: "#ead1dc", tint: "#fbf4f7" },
  passbolt: { header: "#ead1dc", tint: "#fbf4f7" },
  "print-server": { header: "#cfe2f3", tint: "#f3f8fd" },
  database: { header: "#fff2cc", tint: "#fffbef" },
  redis: { header: "#f4cccc", tint: "#fdf3f3" },
  monitoring: { header: "#d9d2e9", tint: "#f6f4fa" },
  "windows-gpu": { header: "#e6e6e6", tint: "#f8f8f8" },
};

const FONT = "Helvetica";

/** Escapes text for an HTML-like label. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Quotes a DOT identifier or plain label. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

const nodeId = (kind: string, id: string) => quote(`${kind}:${id}`);
const portId = (key: string) => `m_${key.replace(/[^A-Za-z0-9]/g, "_")}`;

function gb(memoryMb: number): string {
  const value = memoryMb / 1024;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} GB`;
}

function memberRow(m: TopologyMember, connector: boolean): string {
  const size = `${m.cores} vCPU · ${gb(m.memoryMb)} · ${m.diskGb} GB disk`;
  const name = `${escapeHtml(m.hostname)}${m.kind === "vm" ? " (VM)" : ""}`;
  const tag = connector
    ? `<BR ALIGN="LEFT"/><FONT POINT-SIZE="8" COLOR="#b35900">cloudflared connector</FONT>`
    : "";
  return (
    `<TR><TD PORT="${portId(m.key)}_in" ALIGN="LEFT">${name}${tag}</TD>` +
    `<TD ALIGN="LEFT">${m.vmid}</TD><TD ALIGN="LEFT">${escapeHtml(m.ip)}</TD>` +
    `<TD PORT="${portId(m.key)}_out" ALIGN="LEFT"><FONT POINT-SIZE="9">${size}</FONT></TD></TR>`
  );
}

const small = (text: string) => `<FONT POINT-SIZE="9" COLOR="#555555">${escapeHtml(text)}</FONT>`;

/** A box's label: title, column heads, one row per guest, then notes (VIP, scraped metrics). */
function groupLabel(g: TopologyGroup, connectors: Set<string>, notes: string[]): string {
  const colour = TIER_COLOURS[g.tier].header;
  const rows = [
    `<TR><TD COLSPAN="4" BGCOLOR="${colour}" ALIGN="LEFT"><B>${escapeHtml(g.title)}</B></TD></TR>`,
    `<TR>${["hostname", "VMID", "IP", "size"].map((h) => `<TD ALIGN="LEFT">${small(h)}</TD>`).join("")}</TR>`,
    ...g.members.map((m) => memberRow(m, connectors.has(m.key))),
  ];
  if (g.vip)
    rows.push(
      `<TR><TD PORT="vip" COLSPAN="4" ALIGN="LEFT">floating address ${escapeHtml(g.vip)} (keepalived)</TD></TR>`,
    );
  for (const note of notes) rows.push(`<TR><TD COLSPAN="4" ALIGN="LEFT">${note}</TD></TR>`);
  return `<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="white" COLOR="#888888">${rows.join("")}</TABLE>>`;
}

/** The DOT node of a link end. */
function nodeOf(end: LinkEnd): string {
  if ("host" in end) return nodeId("host", end.host);
  if ("network" in end) return nodeId("net", end.network);
  return nodeId("group", end.group);
}

/** The DOT node (with port and compass) of a link end. */
function endpoint(end: LinkEnd, side: "in" | "out"): string {
  const node = nodeOf(end);
  if (!("group" in end)) return node;
  if (end.vip) return `${node}:vip:w`;
  if (end.member) return `${node}:${portId(end.member)}_${side}:${side === "in" ? "w" : "e"}`;
  return node;
}

function attrs(values: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "string" && !v.startsWith("<") ? quote(v) : String(v)}`);
  return parts.length ? ` [${parts.join(", ")}]` : "";
}

function edgeLabel(ports: string, purpose?: string): string {
  const text = purpose
    ? `${escapeHtml(ports)}<BR/><FONT POINT-SIZE="8">${escapeHtml(purpose)}</FONT>`
    : escapeHtml(ports);
  return `<${text}>`;
}

/** Guest keys that run cloudflared, from the tunnel's connector ends. */
function connectorKeys(model: TopologyModel): Set<string> {
  const groups = new Map(model.hosts.flatMap((h) => h.tiers.flatMap((t) => t.groups.map((g) => [g.id, g]))));
  const keys = new Set<string>();
  for (const end of model.tunnel?.connectors ?? []) {
    if (!("group" in end)) continue;
    if (end.member) keys.add(end.member);
    else for (const m of groups.get(end.group)?.members ?? []) keys.add(m.key);
  }
  return keys;
}

/** Scraped metrics as notes of the monitoring box: one line per exporter, no arrows. */
function metricsNotes(model: TopologyModel): Map<string, string[]> {
  const tiers = model.hosts.flatMap((h) => h.tiers);
  const titles = new Map(tiers.map((t) => [t.id, t.title]));
  const notes = new Map<string, string[]>();
  const byFrom = new Map<string, Map<string, string[]>>();
  for (const m of model.metrics) {
    if (!("group" in m.from)) continue;
    const jobs = byFrom.get(m.from.group) ?? new Map<string, string[]>();
    const what = m.to.tier ? (titles.get(m.to.tier) ?? m.to.tier) : `host ${m.to.host}`;
    for (const j of m.jobs) {
      const k = `${j.job} ${j.port}`;
      jobs.set(k, [...(jobs.get(k) ?? []), what]);
    }
    byFrom.set(m.from.group, jobs);
  }
  for (const [group, jobs] of byFrom) {
    const own = tiers.find((t) => t.groups.some((g) => g.id === group))?.title;
    const containers = tiers
      .filter((t) => t.title !== own && t.groups.some((g) => g.members.some((m) => m.kind === "lxc")))
      .map((t) => t.title);
    const lines = [...jobs].map(([job, targets]) => {
      const all = containers.length > 1 && containers.every((t) => targets.includes(t));
      const shown = all ? ["every container", ...targets.filter((t) => !containers.includes(t))] : targets;
      return `<FONT COLOR="#674ea7">${escapeHtml(job)}</FONT> ${escapeHtml(shown.join(", "))}`;
    });
    notes.set(group, [small("scrapes exporters"), ...lines]);
  }
  return notes;
}

const box = (fill: string, label: string) =>
  attrs({ shape: "box", style: "rounded,filled", fillcolor: fill, color: "#999999", label });

function tunnelNodes(t: NonNullable<TopologyModel["tunnel"]>, line: (text: string) => void) {
  line(`${nodeId("ext", "internet")}${box("#eeeeee", "Internet users\n(HTTPS)")};`);
  const rows = t.hostnames.map((h, i) => {
    const detail = `${h.description}, port ${h.port}${h.admin ? " · Cloudflare Access: admins" : ""}`;
    return (
      `<TR><TD PORT="h${i}" ALIGN="LEFT">${escapeHtml(h.hostname)}<BR ALIGN="LEFT"/>` +
      `<FONT POINT-SIZE="8" COLOR="#555555">${escapeHtml(detail)}</FONT><BR ALIGN="LEFT"/></TD></TR>`
    );
  });
  const head =
    `<TR><TD BGCOLOR="#f38020" ALIGN="LEFT"><FONT COLOR="white"><B>Cloudflare Tunnel ${escapeHtml(t.name)}</B></FONT><BR ALIGN="LEFT"/>` +
    `<FONT COLOR="white" POINT-SIZE="8">public hostnames; no inbound port open on the site</FONT><BR ALIGN="LEFT"/></TD></TR>`;
  line(
    `${nodeId("ext", "tunnel")} [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="white" COLOR="#f38020">${head}${rows.join("")}</TABLE>>];`,
  );
  line(`${nodeId("ext", "internet")} -> ${nodeId("ext", "tunnel")};`);
  t.hostnames.forEach((hn, i) =>
    line(`${nodeId("ext", "tunnel")}:h${i}:e -> ${endpoint(hn.to, "in")}${attrs({ color: "#f38020" })};`),
  );
}

function hostCluster(
  h: TopologyModel["hosts"][number],
  connectors: Set<string>,
  notes: Map<string, string[]>,
  line: (text: string, depth?: number) => void,
) {
  line(`subgraph ${quote(`cluster_host_${h.name}`)} {`);
  const label =
    `<<B>Proxmox VE host ${escapeHtml(h.name)}</B><BR ALIGN="LEFT"/>` +
    `<FONT POINT-SIZE="10">${escapeHtml(h.address)}, ${h.cpuThreads} threads, ${h.memoryGb} GB RAM</FONT><BR ALIGN="LEFT"/>>`;
  line(
    `graph${attrs({ label, style: "rounded", color: "#666666", penwidth: 1.5, fontsize: 13, margin: 16 })};`,
    2,
  );
  line(`${nodeId("host", h.name)}${box("#e8e8e8", `${h.name}\nProxmox VE ${h.address}`)};`, 2);
  for (const t of h.tiers) {
    line(`subgraph ${quote(`cluster_tier_${t.id}`)} {`, 2);
    const style = {
      style: "rounded,filled",
      fillcolor: TIER_COLOURS[t.tier].tint,
      color: "#bbbbbb",
      margin: 10,
    };
    line(`graph${attrs({ label: `<<B>${escapeHtml(t.title)}</B>>`, fontsize: 11, ...style })};`, 3);
    for (const g of t.groups)
      line(
        `${nodeId("group", g.id)}${attrs({ label: groupLabel(g, connectors, notes.get(g.id) ?? []) })};`,
        3,
      );
    line("}", 2);
  }
  line("}");
}

/** Graphviz DOT text of the site topology. */
export function renderTopologyDot(model: TopologyModel): string {
  const out: string[] = [];
  const line = (text: string, depth = 1) => out.push(`${"  ".repeat(depth)}${text}`);
  const title =
    `<<FONT POINT-SIZE="20"><B>${escapeHtml(model.title)}</B></FONT><BR ALIGN="LEFT"/>` +
    `<FONT POINT-SIZE="11">${escapeHtml(model.subtitle)}</FONT><BR ALIGN="LEFT"/>>`;
  out.push("digraph topology {");
  const layout = {
    rankdir: "LR",
    compound: "true",
    newrank: "true",
    splines: "spline",
    nodesep: 0.3,
    ranksep: 0.9,
  };
  line(
    `graph${attrs({ ...layout, fontname: FONT, fontsize: 11, labelloc: "t", labeljust: "l", pad: 0.3, label: title })};`,
  );
  line(`node${attrs({ fontname: FONT, fontsize: 10, shape: "plaintext" })};`);
  line(`edge${attrs({ fontname: FONT, fontsize: 9, color: "#444444", arrowsize: 0.7 })};`);
  if (model.tunnel) tunnelNodes(model.tunnel, line);
  for (const n of model.networks)
    line(`${nodeId("net", n.id)}${box("#eeeeee", `${n.label}\n${n.cidrs.join(", ")}`)};`);
  const adminText = [`Admin network ${model.admin.cidrs.join(", ")}`, ...model.admin.lines]
    .map((l) => `${escapeHtml(l)}<BR ALIGN="LEFT"/>`)
    .join("");
  line(
    `${nodeId("ext", "admin")}${attrs({ shape: "note", style: "filled", fillcolor: "#fffde7", color: "#bbbb88", fontsize: 9, label: `<${adminText}>` })};`,
  );
  const connectors = connectorKeys(model);
  const notes = metricsNotes(model);
  for (const h of model.hosts) hostCluster(h, connectors, notes, line);
  for (const l of model.links)
    line(
      `${endpoint(l.from, "out")} -> ${endpoint(l.to, "in")}${attrs({ label: edgeLabel(l.ports, l.purpose) })};`,
    );
  // Boxes nothing points at would drift to the far left: keep them in the first column of guests.
  const reached = new Set(
    [...model.links.map((l) => l.to), ...(model.tunnel?.hostnames.map((h) => h.to) ?? [])].map(nodeOf),
  );
  const source = model.tunnel ? nodeId("ext", "tunnel") : nodeId("ext", "admin");
  const targets = [
    ...model.hosts.map((h) => nodeId("host", h.name)),
    ...model.hosts.flatMap((h) => h.tiers.flatMap((t) => t.groups.map((g) => nodeId("group", g.id)))),
  ];
  for (const target of targets) if (!reached.has(target)) line(`${source} -> ${target} [style=invis];`);
  out.push("}");
  return `${out.join("\n")}\n`;
}
