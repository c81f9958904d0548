/**
 * Who reaches whom in a running box: TCP connects from a guest, a node stand-in or the operator's
 * workstation (the client namespace) to address:port pairs, each bounded, all of one source at
 * once. A connect either completes (open), is answered with a reset (refused: the firewall let it
 * through, or rejected it, and nothing listens) or gets no answer (dropped by a firewall).
 */
import type { RunningBox } from "./box";
import { inGuest, type BootedGuest } from "./guest";
import { run } from "./sh";

export type Reach = "open" | "refused" | "dropped";

/** A place traffic comes from: a guest or node by its key, or the client namespace. */
export interface Source {
  /** Wiring key of a guest, `host:<node>` of a node stand-in, or `admin workstation`. */
  key: string;
  ip: string;
  /** Undefined for the client namespace. */
  guest?: BootedGuest;
}

export interface Target {
  key: string;
  ip: string;
  port: number;
}

const CONNECT_SECONDS = 3;

/** Bash that connects to every target at once and prints `ip:port exitcode` per target. */
export function probeScript(targets: readonly Target[]): string {
  const list = targets.map((t) => `${t.ip}:${t.port}`).join(" ");
  return [
    `for t in ${list}; do`,
    `  ( timeout ${CONNECT_SECONDS} bash -c "exec 3<>/dev/tcp/\${t%:*}/\${t#*:}" 2>/dev/null; echo "$t $?" ) &`,
    "done",
    "wait",
    "",
  ].join("\n");
}

/** Reads probeScript's output: 0 open, 124 (timeout) dropped, anything else refused. */
export function parseProbe(stdout: string): Map<string, Reach> {
  const out = new Map<string, Reach>();
  for (const line of stdout.split("\n")) {
    const m = /^(\S+) (\d+)$/.exec(line.trim());
    if (!m) continue;
    out.set(m[1], m[2] === "0" ? "open" : m[2] === "124" ? "dropped" : "refused");
  }
  return out;
}

/** Connects from `source` to every target; throws if the probe itself could not run. */
export async function reachFrom(
  box: RunningBox,
  source: Source,
  targets: readonly Target[],
): Promise<Map<string, Reach>> {
  if (targets.length === 0) return new Map();
  const script = probeScript(targets);
  const r = source.guest
    ? await inGuest(source.guest, ["bash", "-c", script], undefined, 30_000)
    : await run("ip", ["netns", "exec", box.clientNetns, "bash", "-c", script], { timeoutMs: 30_000 });
  const found = parseProbe(r.stdout);
  const missing = targets.filter((t) => !found.has(`${t.ip}:${t.port}`));
  if (r.code !== 0 || missing.length > 0)
    throw new Error(`probe from ${source.key} did not run (exit ${r.code}): ${r.stderr.trim().slice(-300)}`);
  return found;
}

/** The client namespace's address (the operator's workstation). */
export async function clientAddress(box: RunningBox): Promise<string> {
  const r = await run("ip", ["-n", box.clientNetns, "-4", "-o", "addr", "show", "dev", "eth0"]);
  const ip = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout)?.[1];
  if (!ip) throw new Error(`no address on ${box.clientNetns}'s eth0: ${r.stderr.trim()}`);
  return ip;
}

/** Every place traffic can come from in the box: running guests, node stand-ins, the workstation. */
export async function allSources(box: RunningBox): Promise<Source[]> {
  const guests = box.plan.guests.flatMap((g): Source[] => {
    const booted = box.guests.get(g.vmid);
    return booted ? [{ key: g.name, ip: g.ip, guest: booted }] : [];
  });
  const nodes = [...box.nodes.values()].map((n): Source => ({
    key: `host:${n.spec.name}`,
    ip: n.spec.address,
    guest: n.guest,
  }));
  return [...guests, ...nodes, { key: "admin workstation", ip: await clientAddress(box) }];
}
