/**
 * The firewall section of plan.md, read from the REGISTERED firewall (what `pulumi up` would send),
 * not from the site model: one row per rule as Proxmox will apply it, and a status paragraph that
 * names every guest the firewall would not protect (firewall off, NIC flag off, policy not DROP).
 * Pure: no Pulumi import.
 */
import { guestViews, unfilteredBecause, type EvaluatedGuest } from "./guest-views";
import type { RegisteredFirewall, RuleInputs } from "./registered";

export interface RegisteredMatrixRow {
  /** Guest names for guest addresses, `+set` for IP sets, else the address text; `any` without a source. */
  from: string;
  /** The rule's `source` as registered (`any` when absent). */
  fromAddresses: string;
  /** `name (vmid)`, `node <name>`, `every node`, or `every guest` when all guests carry the same rule. */
  to: string;
  /** The port list, the macro's name, or `-`. */
  ports: string;
  proto: string;
  action: string;
  purpose: string;
}

function namesOf(source: string | undefined, guests: readonly EvaluatedGuest[]): string {
  if (!source) return "any";
  return source
    .split(",")
    .map((item) => item.trim())
    .map((item) => guests.find((g) => g.nics.some((n) => n.addresses.includes(item)))?.name ?? item)
    .join(", ");
}

function rowOf(rule: RuleInputs, to: string, guests: readonly EvaluatedGuest[]): RegisteredMatrixRow {
  if (rule.securityGroup) {
    return {
      from: "-",
      fromAddresses: "-",
      to,
      ports: "-",
      proto: "-",
      action: `group ${rule.securityGroup}`,
      purpose: rule.comment ?? "",
    };
  }
  return {
    from: namesOf(rule.source, guests),
    fromAddresses: rule.source ?? "any",
    to,
    ports: rule.macro ?? rule.dport ?? "-",
    proto: rule.macro ? "macro" : (rule.proto ?? "any"),
    action: `${(rule.type ?? "").toUpperCase()} ${(rule.action ?? "").toUpperCase()}`.trim(),
    purpose: rule.comment ?? "",
  };
}

const sameButTarget = (a: RegisteredMatrixRow, b: RegisteredMatrixRow) =>
  a.fromAddresses === b.fromAddresses &&
  a.ports === b.ports &&
  a.proto === b.proto &&
  a.action === b.action &&
  a.purpose === b.purpose;

/** Every enabled rule, in the order Proxmox applies them per target; a rule on every guest shows once. */
export function registeredMatrix(fw: RegisteredFirewall): RegisteredMatrixRow[] {
  const guests = guestViews(fw);
  const perGuest = guests.map((g) =>
    g.rules.filter((r) => r.enabled !== false).map((r) => rowOf(r, `${g.name} (${g.vmid})`, guests)),
  );
  const everywhere =
    guests.length > 1
      ? perGuest[0].filter((row) => perGuest.every((rows) => rows.some((r) => sameButTarget(r, row))))
      : [];
  const rows: RegisteredMatrixRow[] = everywhere.map((r) => ({ ...r, to: "every guest" }));
  for (const rs of perGuest) rows.push(...rs.filter((r) => !everywhere.some((e) => sameButTarget(e, r))));
  const levelRules = fw.rules.filter((r) => r.vmId === undefined && r.containerId === undefined);
  for (const r of levelRules) {
    const to = r.nodeName ? `node ${r.nodeName}` : "every node";
    rows.push(...(r.rules ?? []).filter((x) => x.enabled !== false).map((x) => rowOf(x, to, guests)));
  }
  return rows;
}

/** What the registered firewall protects, in sentences: cluster switch, guests, nodes. */
export function firewallStatus(fw: RegisteredFirewall): string[] {
  if (!fw.cluster) return ["No cluster firewall is registered: Proxmox filters nothing on this site."];
  if (!fw.cluster.enabled)
    return ["The cluster firewall is registered but off: Proxmox filters nothing on this site."];
  const guests = guestViews(fw);
  const unfiltered = guests.flatMap((g) =>
    g.nics.flatMap((n) => {
      const why = unfilteredBecause(fw, g, n);
      return why ? [`${g.name} (${g.vmid}): ${why}`] : [];
    }),
  );
  const open = guests
    .filter((g) => g.options?.enabled && (g.options.inputPolicy ?? "DROP").toUpperCase() !== "DROP")
    .map((g) => `${g.name} (${g.vmid}): ${g.options!.inputPolicy}`);
  const lines = [
    `Cluster firewall on; the nodes' inbound policy is ${(fw.cluster.inputPolicy ?? "DROP").toUpperCase()}, outbound ${(fw.cluster.outputPolicy ?? "ACCEPT").toUpperCase()}.`,
  ];
  if (unfiltered.length === 0 && open.length === 0)
    lines.push("Every guest filters inbound with policy DROP: a guest accepts only the rows below.");
  if (unfiltered.length > 0)
    lines.push(`NOT filtered (every inbound packet accepted): ${unfiltered.join("; ")}.`);
  if (open.length > 0)
    lines.push(`Inbound policy other than DROP (unmatched packets pass): ${open.join("; ")}.`);
  const management = fw.ipsets.find(
    (s) => s.name === "management" && s.vmId === undefined && s.containerId === undefined,
  );
  const managers = [
    ...(management?.cidrs ?? []).map((c) => c.name),
    ...(fw.localNetwork ? [`${fw.localNetwork} (local_network)`] : []),
  ];
  lines.push(
    `Nodes: their rules below, then Proxmox's management access (8006, 22, 3128, 5900-5999, 60000-60050/tcp) from ${managers.length > 0 ? managers.join(", ") : "nobody"}, then the cluster's inbound policy.`,
  );
  return lines;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** The Markdown table of the rows. */
export function registeredMatrixMarkdown(rows: readonly RegisteredMatrixRow[]): string {
  return [
    "| From | Source addresses | To | Port | Proto | Action | Purpose |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${cell(r.from)} | ${cell(r.fromAddresses)} | ${cell(r.to)} | ${cell(r.ports)} | ${cell(r.proto)} | ${cell(r.action)} | ${cell(r.purpose)} |`,
    ),
  ].join("\n");
}
