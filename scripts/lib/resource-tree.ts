import type { RecordedResource } from "./mock-run";

/** What the tree needs of a resource: a recorded one, or one read back from plan.json. */
export type TreeResource = Pick<RecordedResource, "urn" | "type" | "name" | "inputs"> & {
  parent?: string | null;
  custom?: boolean;
  protect?: boolean;
};

/** Inputs worth a reviewer's eye, by resource type; other types show their first few scalar inputs. */
const keyInputs: Record<string, string[]> = {
  "proxmoxve:index/containerLegacy:ContainerLegacy": [
    "vmId",
    "nodeName",
    "initialization.hostname",
    "initialization.ipConfigs.0.ipv4.address",
    "cpu.cores",
    "memory.dedicated",
    "disk.size",
    "disk.datastoreId",
    "unprivileged",
    "protection",
  ],
  "proxmoxve:index/vmLegacy:VmLegacy": [
    "vmId",
    "nodeName",
    "name",
    "cpu.cores",
    "memory.dedicated",
    "machine",
    "bios",
    "tpmState.version",
  ],
  "proxmoxve:download/file:File": ["nodeName", "datastoreId", "fileName"],
  "proxmoxve:backup/job:Job": ["schedule", "storage", "mode", "pruneBackups"],
  "command:remote:Command": ["create", "stdin"],
};

function get(obj: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
}

function summary(r: TreeResource): string {
  const paths =
    keyInputs[r.type] ??
    Object.entries(r.inputs)
      .filter(([, v]) => v === null || typeof v !== "object")
      .slice(0, 5)
      .map(([k]) => k);
  return paths
    .map((p) => [p, get(r.inputs, p)] as const)
    .filter(([, v]) => v !== undefined)
    .map(
      ([p, v]) =>
        `${p}=${typeof v === "string" && v.length > 60 ? `${v.slice(0, 57)}...` : JSON.stringify(v)}`,
    )
    .join(" ");
}

/** The resource tree by component, one line per resource, indented under its parent. */
export function resourceTree(resources: readonly TreeResource[]): string {
  const children = new Map<string | undefined, TreeResource[]>();
  const known = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const parent = r.parent && known.has(r.parent) ? r.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const flags = [r.protect ? "protected" : "", r.custom ? "" : "component"].filter(Boolean).join(", ");
      const detail = r.custom ? summary(r) : "";
      lines.push(
        `${"  ".repeat(depth)}${r.name}  (${r.type}${flags ? `; ${flags}` : ""})${detail ? `  ${detail}` : ""}`,
      );
      walk(r.urn, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join("\n");
}

export function countsByType(resources: readonly TreeResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) if (r.custom) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}
