import type { InputChange, ResourceDiff, ResourceRef, RowChange, StackDiff } from "./plan-diff";
import { markdownTable } from "./plan-tables";

/** One stack's outcome: its diff, or why a side could not be planned. */
export interface StackOutcome {
  stack: string;
  diff?: StackDiff;
  error?: { side: "base" | "head"; message: string };
}

/** Most changed inputs listed per resource; the rest are counted. */
const MAX_CHANGES = 8;
/** Longer resource lists fold into a <details> block. */
const FOLD_ROWS = 15;

const shortType = (type: string) => type.split(":").pop() ?? type;
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function changeText(c: InputChange): string {
  return `${code(c.path)}: ${c.before} → ${c.after}`;
}

function changesCell(changes: InputChange[]): string {
  const shown = changes.slice(0, MAX_CHANGES).map(changeText);
  if (changes.length > MAX_CHANGES) shown.push(`… and ${changes.length - MAX_CHANGES} more`);
  return shown.join("<br>");
}

function fold(title: string, table: string, rows: number): string[] {
  if (rows <= FOLD_ROWS) return [`### ${title}`, "", table, ""];
  return [
    `### ${title}`,
    "",
    "<details><summary>" + `${rows} resources` + "</summary>",
    "",
    table,
    "",
    "</details>",
    "",
  ];
}

function refTable(refs: ResourceRef[], protectNote: string): string {
  return markdownTable(
    ["Resource", "Type", "Note"],
    refs.map((r) => [
      code(r.name),
      r.component ? `${shortType(r.type)} (component)` : shortType(r.type),
      r.protect ? protectNote : "",
    ]),
  );
}

function resourceTable(diffs: ResourceDiff[], withReasons: boolean): string {
  const headers = withReasons
    ? ["Resource", "Type", "Forces replacement", "Changed inputs"]
    : ["Resource", "Type", "Changed inputs"];
  return markdownTable(
    headers,
    diffs.map((d) => {
      const name = d.protect && withReasons ? `${code(d.name)} ⚠ protected` : code(d.name);
      const cells = [name, shortType(d.type)];
      if (withReasons) cells.push(d.replaceReasons.join("<br>"));
      cells.push(changesCell(d.changes));
      return cells;
    }),
  );
}

function rowsTable(title: string, rows: RowChange[]): string[] {
  if (rows.length === 0) return [];
  return [
    `### ${title}`,
    "",
    markdownTable(
      ["Row", "Change", "Details"],
      rows.map((r) => [code(r.key), r.kind, r.details.join("<br>")]),
    ),
    "",
  ];
}

/** `3 to add, 1 to remove, …` or `no changes`. */
export function summaryLine(d: StackDiff): string {
  const parts = [
    [d.added.length, "to add"],
    [d.removed.length, "to remove"],
    [d.moved.length, "moved (URN changed)"],
    [d.replaced.length, "to replace"],
    [d.rerun.length, "to re-run"],
    [d.changed.length, "to change"],
  ] as const;
  const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  const rows = d.ipPlan.length + d.allocation.length + d.published.length;
  if (rows > 0) said.push(`${rows} table row${rows === 1 ? "" : "s"} changed`);
  if (d.status === "added") said.unshift("new stack");
  if (d.status === "removed") said.unshift("stack removed");
  return said.length ? said.join(", ") : "no changes";
}

function stackSection(o: StackOutcome): string[] {
  if (o.error) {
    return [
      `## ${code(o.stack)}: could not be planned at ${o.error.side === "base" ? "the base" : "this change"}`,
      "",
      "```",
      o.error.message.trim(),
      "```",
      "",
    ];
  }
  const d = o.diff!;
  const out = [`## ${code(d.stack)}: ${summaryLine(d)}`, ""];
  if (d.status === "unchanged") return out;
  if (d.replaced.length) {
    out.push("### Replace (destroy and re-create: what the resource holds is lost)", "");
    if (d.replaced.some((r) => r.protect))
      out.push(
        "> ⚠ Protected resources: `pulumi up` refuses to replace them until `protect: false` is set.",
        "",
      );
    out.push(resourceTable(d.replaced, true), "");
  }
  if (d.moved.length) {
    out.push(
      "### Moved: URN changed (new parent), replaced unless the resource declares `aliases`",
      "",
      markdownTable(
        ["Resource", "Type", "Old URN", "Note"],
        d.moved.map((m) => [
          code(m.to.name),
          shortType(m.to.type),
          code(m.from),
          m.to.protect ? "⚠ protected: `pulumi up` refuses to replace it" : "",
        ]),
      ),
      "",
    );
  }
  if (d.removed.length)
    out.push(
      ...fold(
        "Remove",
        refTable(d.removed, "⚠ protected: `pulumi up` refuses to delete it"),
        d.removed.length,
      ),
    );
  if (d.added.length) out.push(...fold("Add", refTable(d.added, "protected"), d.added.length));
  if (d.rerun.length)
    out.push(
      ...fold(
        "Re-run provisioning (command replaced because its triggers changed)",
        resourceTable(d.rerun, false),
        d.rerun.length,
      ),
    );
  if (d.changed.length)
    out.push(...fold("Change in place", resourceTable(d.changed, false), d.changed.length));
  out.push(
    ...rowsTable("IP plan", d.ipPlan),
    ...rowsTable("Resource allocation", d.allocation),
    ...rowsTable("Published hostnames", d.published),
  );
  return out;
}

/** The whole report: a summary table, then one section per stack. */
export function renderDiffMarkdown(outcomes: StackOutcome[], baseLabel: string): string {
  const summary = markdownTable(
    ["Stack", "Plan diff"],
    outcomes.map((o) => [
      code(o.stack),
      o.error ? `could not be planned (${o.error.side})` : summaryLine(o.diff!),
    ]),
  );
  return [
    `# Plan diff against ${code(baseLabel)}`,
    "",
    "Credential-free plans of every stack (the real program under Pulumi's mocks), at the base and with this change; resources matched by URN (a resource moved under another parent by the URN its aliases keep). " +
      "Secret inputs show as [secret] and are never compared by value. Replacements follow the providers' force-new inputs (FIELD-NOTES.md); `pulumi preview --diff` stays the real thing.",
    "",
    summary,
    "",
    ...outcomes.flatMap(stackSection),
  ].join("\n");
}
