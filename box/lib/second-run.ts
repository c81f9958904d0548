/**
 * "A second run of every script changes nothing": snapshot every guest and node (checksums of the
 * files provisioning writes, and each running service's MainPID and ActiveEnterTimestamp), run
 * every command that succeeded again exactly as registered, snapshot again and compare.
 */
import type { RunningBox } from "./box";
import { inGuest, type BootedGuest } from "./guest";

/** Where provisioning scripts write; logs, caches and runtime state are left out. */
const WATCHED = ["/etc", "/usr/local", "/opt", "/srv", "/var/www", "/root/.ssh"];

export interface Snapshot {
  files: Map<string, string>;
  services: Map<string, string>;
}

export async function snapshot(g: BootedGuest): Promise<Snapshot> {
  const sums = await inGuest(
    g,
    [
      "sh",
      "-c",
      `find ${WATCHED.join(" ")} -xdev -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum`,
    ],
    undefined,
    120_000,
  );
  const files = new Map<string, string>();
  for (const line of sums.stdout.split("\n").filter(Boolean)) {
    const [sum, ...path] = line.split("  ");
    files.set(path.join("  "), sum);
  }
  const show = await inGuest(g, [
    "systemctl",
    "show",
    "--type=service",
    "--state=running",
    "--property=Id,MainPID,ActiveEnterTimestamp",
    "*",
  ]);
  const services = new Map<string, string>();
  for (const block of show.stdout.split("\n\n")) {
    const props = Object.fromEntries(
      block
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(/=(.*)/s, 2)),
    );
    if (props.Id) services.set(props.Id, `pid ${props.MainPID} since ${props.ActiveEnterTimestamp}`);
  }
  return { files, services };
}

/** Differences between two snapshots, one line each. */
export function compareSnapshots(where: string, before: Snapshot, after: Snapshot): string[] {
  const found: string[] = [];
  for (const [path, sum] of after.files) {
    const old = before.files.get(path);
    if (old === undefined) found.push(`${where}: ${path} created`);
    else if (old !== sum) found.push(`${where}: ${path} changed`);
  }
  for (const path of before.files.keys()) if (!after.files.has(path)) found.push(`${where}: ${path} removed`);
  for (const [unit, state] of before.services) {
    const now = after.services.get(unit);
    if (now !== state)
      found.push(`${where}: ${unit} restarted or stopped (${state} → ${now ?? "not running"})`);
  }
  return found;
}

/** Every node stand-in (by node name) and running guest (by hostname), as snapshots name them. */
export function snapshotTargets(box: RunningBox): [string, BootedGuest][] {
  return [
    ...[...box.nodes.values()].map((n): [string, BootedGuest] => [n.spec.name, n.guest]),
    ...[...box.guests.values()].map((g): [string, BootedGuest] => [g.spec.hostname, g]),
  ];
}

/** Runs every succeeded command again and returns what changed (empty: nothing). */
export async function secondRunChanges(box: RunningBox): Promise<{
  rerun: number;
  changes: string[];
  failures: string[];
  watchedFiles: number;
  watchedServices: number;
}> {
  const targets = snapshotTargets(box);
  const before = new Map<string, Snapshot>();
  for (const [name, g] of targets) before.set(name, await snapshot(g));
  const ok = new Set(box.steps.filter((s) => s.status === "ok").map((s) => s.name));
  const failures: string[] = [];
  let rerun = 0;
  for (const c of box.plan.commands) {
    if (!ok.has(c.name)) continue;
    rerun++;
    const r = await box.runCommand(c);
    if (r.code !== 0)
      failures.push(`${c.name} exited ${r.code}: ${r.stderr.trim().split("\n").slice(-2).join(" ")}`);
  }
  const changes: string[] = [];
  for (const [name, g] of targets)
    changes.push(...compareSnapshots(name, before.get(name)!, await snapshot(g)));
  const all = [...before.values()];
  return {
    rerun,
    changes,
    failures,
    // How much was compared: a check that compared nothing proves nothing.
    watchedFiles: all.reduce((n, s) => n + s.files.size, 0),
    watchedServices: all.reduce((n, s) => n + s.services.size, 0),
  };
}
