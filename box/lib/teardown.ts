/**
 * Everything the box sets up is undone, in reverse order, even when a step fails: long-running
 * processes (with pid files so a crashed run's leftovers can be found), mounts, namespaces.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, sleep } from "./sh";

interface Undo {
  label: string;
  undo: () => Promise<void>;
}

export class Teardown {
  private readonly undos: Undo[] = [];

  /** Registers how to undo something just set up. */
  add(label: string, undo: () => Promise<void>): void {
    this.undos.push({ label, undo });
  }

  /** Undoes everything, newest first; a failing undo is reported and the rest still run. */
  async runAll(log: (line: string) => void): Promise<void> {
    while (this.undos.length > 0) {
      const { label, undo } = this.undos.pop()!;
      try {
        await undo();
      } catch (err) {
        log(`cleanup: ${label}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

/** Stops a process: SIGTERM, then SIGKILL after `graceMs`; bounded. */
export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, "SIGTERM");
  for (let waited = 0; waited < graceMs && alive(); waited += 100) await sleep(100);
  if (alive()) process.kill(pid, "SIGKILL");
  for (let waited = 0; waited < 2000 && alive(); waited += 100) await sleep(100);
}

/** Starts a long-running process with its output in `logFile`; stopped by the teardown. */
export function startDaemon(
  teardown: Teardown,
  runDir: string,
  name: string,
  program: string,
  args: string[],
  logFile: string,
  /** The program the process runs in the end (`ip netns exec … socat` becomes socat). */
  execs = program,
): ChildProcess {
  const fd = openSync(logFile, "a");
  const child = spawn(program, args, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  child.on("error", () => undefined);
  const pidDir = join(runDir, "pids");
  mkdirSync(pidDir, { recursive: true });
  const pidFile = join(pidDir, `${name}.pid`);
  writeFileSync(pidFile, `${child.pid}\n${execs}\n`);
  teardown.add(`stop ${name}`, async () => {
    if (child.pid !== undefined) await stopPid(child.pid);
    rmSync(pidFile, { force: true });
  });
  return child;
}

/** Kills processes a crashed earlier run left behind, by their recorded pid and program only. */
export async function stopLeftoverDaemons(runDir: string): Promise<string[]> {
  const pidDir = join(runDir, "pids");
  const stopped: string[] = [];
  let files: string[];
  try {
    files = readdirSync(pidDir);
  } catch {
    return stopped;
  }
  for (const file of files) {
    const [pidText, program] = readFileSync(join(pidDir, file), "utf8").split("\n");
    const pid = Number(pidText);
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
    } catch {
      // Gone already.
    }
    if (pid > 1 && program && cmdline === program) {
      await stopPid(pid);
      stopped.push(`${file.replace(/\.pid$/, "")} (${pid})`);
    }
    rmSync(join(pidDir, file), { force: true });
  }
  return stopped;
}

/** Unmounts every mount below `dir` (deepest first), for a crashed run's leftovers. */
export async function unmountBelow(dir: string): Promise<string[]> {
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run("umount", ["-l", m], { timeoutMs: 30_000 });
  return mounts;
}
