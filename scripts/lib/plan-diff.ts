/**
 * Compares two credential-free plans of a stack: resources matched by URN, or by the old URN a moved
 * resource answers to through its aliases (added, removed, replaced, re-run, changed in place, with the
 * changed input paths) and the rows of the IP plan, allocation and published-hostname tables. Secret
 * inputs read `[secret]` on both sides and are never a change by themselves (generated secrets differ
 * on every run).
 */
import type { PublishedService } from "../../config/wiring";
import { SECRET_MARK } from "./mock-run";
import type { Plan, PlanResource } from "./plan-build";
import type { AllocationRow, IpPlanRow } from "./plan-tables";
import { RERUN_TYPES, replaceReason } from "./replace-rules";

export interface InputChange {
  path: string;
  /** Shown value before; `(absent)` when the input is new. Secrets show as [secret]. */
  before: string;
  after: string;
  /** Why this change replaces the resource, when it does. */
  replaces?: string;
}

export interface ResourceRef {
  urn: string;
  name: string;
  type: string;
  /** A component (no provider resource of its own). */
  component: boolean;
  protect: boolean;
}

export interface ResourceDiff extends ResourceRef {
  changes: InputChange[];
  /** Reasons for replacement; empty for an update in place. */
  replaceReasons: string[];
}

/** A changed row of a plan table, matched by its key. */
export interface RowChange {
  key: string;
  kind: "added" | "removed" | "changed";
  /** `field: before → after` for changed rows, the row's summary for added/removed ones. */
  details: string[];
}

export interface StackDiff {
  stack: string;
  /** `added`/`removed`: the stack file exists on one side only. */
  status: "unchanged" | "changed" | "added" | "removed";
  added: ResourceRef[];
  removed: ResourceRef[];
  /**
   * Same name and type on both sides under another URN (a new parent component): Pulumi deletes
   * and re-creates these unless the resource declares `aliases` with its old URN.
   */
  moved: { from: string; to: ResourceRef }[];
  /** Destroyed and re-created. */
  replaced: ResourceDiff[];
  /** Commands whose triggers changed: Pulumi replaces them, which re-runs their script. */
  rerun: ResourceDiff[];
  changed: ResourceDiff[];
  ipPlan: RowChange[];
  allocation: RowChange[];
  published: RowChange[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Leaf values by dotted path; empty arrays and objects are leaves of their own. */
export function flattenInputs(
  value: unknown,
  path = "",
  out = new Map<string, unknown>(),
): Map<string, unknown> {
  const join = (k: string | number) => (path ? `${path}.${k}` : String(k));
  if (Array.isArray(value)) {
    if (value.length === 0 && path) out.set(path, []);
    value.forEach((v, i) => flattenInputs(v, join(i), out));
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0 && path) out.set(path, {});
    for (const k of keys) flattenInputs(value[k], join(k), out);
  } else if (path) {
    out.set(path, value);
  }
  return out;
}

const ABSENT = "(absent)";

/** A short display of a value: long strings and multi-line texts are summarised. */
export function showValue(value: unknown): string {
  if (value === undefined) return ABSENT;
  if (value === SECRET_MARK) return SECRET_MARK;
  if (typeof value === "string") {
    if (value.includes("\n")) return `(text, ${value.split("\n").length} lines)`;
    const text = JSON.stringify(value);
    return text.length > 64 ? `${text.slice(0, 61)}..."` : text;
  }
  const text = JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

/** Lines added and removed between two texts, counted as multisets (order ignored). */
export function lineDelta(before: string, after: string): { added: number; removed: number } {
  const count = (lines: string[]) => {
    const m = new Map<string, number>();
    for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const a = count(before.split("\n"));
  const b = count(after.split("\n"));
  let added = 0;
  let removed = 0;
  for (const [l, n] of b) added += Math.max(0, n - (a.get(l) ?? 0));
  for (const [l, n] of a) removed += Math.max(0, n - (b.get(l) ?? 0));
  return { added, removed };
}

/** Multiset difference of two lists, by value. */
function listDelta(before: unknown[], after: unknown[]): { added: unknown[]; removed: unknown[] } {
  const left = before.map((v) => JSON.stringify(v));
  const added: unknown[] = [];
  for (const v of after) {
    const i = left.indexOf(JSON.stringify(v));
    if (i >= 0) left.splice(i, 1);
    else added.push(v);
  }
  const right = after.map((v) => JSON.stringify(v));
  const removed: unknown[] = [];
  for (const v of before) {
    const i = right.indexOf(JSON.stringify(v));
    if (i >= 0) right.splice(i, 1);
    else removed.push(v);
  }
  return { added, removed };
}

/** A list item in a few words: its comment or name when it has one (firewall rules, disks). */
function itemSummary(v: unknown): string {
  if (isObject(v)) {
    const label = ["comment", "name", "hostname", "key", "device", "path", "volume"].find(
      (k) => typeof v[k] === "string",
    );
    if (label) return showValue(v[label]);
  }
  return showValue(v);
}

function walk(type: string, path: string, x: unknown, y: unknown, out: InputChange[]): void {
  if (x === SECRET_MARK && y === SECRET_MARK) return;
  if (JSON.stringify(x) === JSON.stringify(y)) return;
  const push = (before: string, after: string) =>
    out.push({ path, before, after, replaces: replaceReason(type, path, x, y) });
  if (Array.isArray(x) && Array.isArray(y) && x.length !== y.length) {
    // An item added or removed: say which, instead of every index that shifted.
    const d = listDelta(x, y);
    const items = [
      ...d.added.map((v) => `+${itemSummary(v)}`),
      ...d.removed.map((v) => `−${itemSummary(v)}`),
    ];
    const shown = items.slice(0, 2).join(", ") + (items.length > 2 ? `, … ${items.length - 2} more` : "");
    push(`${x.length} items`, `${y.length} items (${shown})`);
    return;
  }
  if ((Array.isArray(x) && Array.isArray(y)) || (isObject(x) && isObject(y))) {
    const keys = Array.isArray(x)
      ? x.map((_, i) => String(i))
      : [...new Set([...Object.keys(x as object), ...Object.keys(y as object)])].sort();
    for (const k of keys) {
      const get = (v: unknown) => (v as Record<string, unknown>)[k];
      walk(type, path ? `${path}.${k}` : k, get(x), get(y), out);
    }
    return;
  }
  let after = showValue(y);
  if (typeof x === "string" && typeof y === "string" && (x.includes("\n") || y.includes("\n"))) {
    const d = lineDelta(x, y);
    after = `${after.replace(/\)$/, "")}, +${d.added} −${d.removed})`;
  }
  push(showValue(x), after);
}

/**
 * The changed inputs of one resource by dotted path, each with the reason it forces replacement,
 * if any. A list that grew or shrank is one change naming the items added and removed.
 */
export function diffInputs(
  type: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): InputChange[] {
  const changes: InputChange[] = [];
  walk(type, "", before, after, changes);
  return changes;
}

function ref(r: PlanResource): ResourceRef {
  return {
    urn: r.urn,
    name: r.name,
    type: r.type,
    component: r.custom === false,
    protect: Boolean(r.protect),
  };
}

function rowDiff<T>(
  before: readonly T[],
  after: readonly T[],
  keyOf: (row: T) => string,
  summary: (row: T) => string,
): RowChange[] {
  const a = new Map(before.map((r) => [keyOf(r), r]));
  const b = new Map(after.map((r) => [keyOf(r), r]));
  const out: RowChange[] = [];
  for (const [key, row] of b) {
    const old = a.get(key);
    if (!old) {
      out.push({ key, kind: "added", details: [summary(row)] });
      continue;
    }
    const fields = [...new Set([...Object.keys(old as object), ...Object.keys(row as object)])];
    const details = fields
      .filter(
        (f) =>
          JSON.stringify((old as Record<string, unknown>)[f]) !==
          JSON.stringify((row as Record<string, unknown>)[f]),
      )
      .map(
        (f) =>
          `${f}: ${showValue((old as Record<string, unknown>)[f])} → ${showValue((row as Record<string, unknown>)[f])}`,
      );
    if (details.length) out.push({ key, kind: "changed", details });
  }
  for (const [key, row] of a) if (!b.has(key)) out.push({ key, kind: "removed", details: [summary(row)] });
  return out;
}

const ipSummary = (r: IpPlanRow) => `${r.ip} ${r.hostname}${r.vmid ? ` (VMID ${r.vmid})` : ""}`;
const allocationSummary = (r: AllocationRow) =>
  `VMID ${r.vmid}: ${r.cores} cores, ${r.memoryMb} MB, ${r.diskGb} GB on ${r.node}`;
const publishedSummary = (p: PublishedService) => `${p.origin} (${p.target})`;

/** Compares a stack's plan at the base (undefined: no stack file there) with its plan now. */
export function diffPlans(stack: string, base: Plan | undefined, head: Plan | undefined): StackDiff {
  const empty = { resources: [], ipPlan: [], allocation: [], published: [] };
  const a = base ?? empty;
  const b = head ?? empty;
  // A resource that answers to an old URN through its aliases is that resource (the engine sees no
  // replace): compare it under the old URN.
  const oldUrns = new Set(a.resources.map((r) => r.urn));
  const newUrns = new Set(b.resources.map((r) => r.urn));
  const formerUrn = (r: PlanResource) =>
    oldUrns.has(r.urn) ? r.urn : (r.aliases?.find((u) => oldUrns.has(u) && !newUrns.has(u)) ?? r.urn);
  const before = new Map(a.resources.map((r) => [r.urn, r]));
  const after = new Map(b.resources.map((r) => [formerUrn(r), r]));
  const diff: StackDiff = {
    stack,
    status: !base ? "added" : !head ? "removed" : "unchanged",
    added: b.resources.filter((r) => !before.has(formerUrn(r))).map(ref),
    removed: a.resources.filter((r) => !after.has(r.urn)).map(ref),
    moved: [],
    replaced: [],
    rerun: [],
    changed: [],
    ipPlan: rowDiff(a.ipPlan, b.ipPlan, (r) => r.key, ipSummary),
    allocation: rowDiff(a.allocation, b.allocation, (r) => r.key, allocationSummary),
    published: rowDiff(a.published, b.published, (p) => p.hostname, publishedSummary),
  };
  // A resource whose URN changed but kept its name and type was moved (reparented), not replaced by another.
  const identity = (r: ResourceRef) => `${r.type}::${r.name}`;
  const gone = new Map<string, ResourceRef[]>();
  for (const r of diff.removed) gone.set(identity(r), [...(gone.get(identity(r)) ?? []), r]);
  diff.added = diff.added.filter((r) => {
    const from = gone.get(identity(r))?.shift();
    if (!from) return true;
    diff.moved.push({ from: from.urn, to: { ...r, protect: r.protect || from.protect } });
    diff.removed = diff.removed.filter((x) => x !== from);
    return false;
  });
  for (const r of b.resources) {
    const old = before.get(formerUrn(r));
    if (!old) continue;
    const changes = diffInputs(r.type, old.inputs, r.inputs);
    if (changes.length === 0) continue;
    const replaceReasons = [...new Set(changes.flatMap((c) => (c.replaces ? [c.replaces] : [])))];
    const entry: ResourceDiff = {
      ...ref(r),
      protect: Boolean(r.protect || old.protect),
      changes,
      replaceReasons,
    };
    if (replaceReasons.length === 0) diff.changed.push(entry);
    else if (RERUN_TYPES.has(r.type)) diff.rerun.push(entry);
    else diff.replaced.push(entry);
  }
  const touched =
    diff.added.length +
    diff.removed.length +
    diff.moved.length +
    diff.replaced.length +
    diff.rerun.length +
    diff.changed.length;
  const rows = diff.ipPlan.length + diff.allocation.length + diff.published.length;
  if (diff.status === "unchanged" && touched + rows > 0) diff.status = "changed";
  return diff;
}
