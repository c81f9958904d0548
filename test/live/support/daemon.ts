import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A daemon started by a live test; `stop` always ends it, even if it already died. */
export interface RunningDaemon {
  readonly name: string;
  readonly process: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  /** Environment added to the daemon's. */
  env?: Record<string, string>;
  cwd?: string;
}

const running = new Set<RunningDaemon>();

/** Starts a foreground daemon and keeps its output for failure messages. */
export function startDaemon(
  name: string,
  command: string,
  args: readonly string[],
  opts: StartOptions = {},
): RunningDaemon {
  const child = spawn(command, [...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once("exit", () => resolve());
    child.once("error", (err) => {
      log += `\nspawn error: ${err.message}`;
      resolve();
    });
  });
  const daemon: RunningDaemon = {
    name,
    process: child,
    output: () => log,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      running.delete(daemon);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const killTimer = setTimeout(() => child.kill("SIGKILL"), 10000);
        await exited;
        clearTimeout(killTimer);
      }
    },
  };
  running.add(daemon);
  return daemon;
}

/** Stops every daemon this test file started and has not stopped yet. */
export async function stopAllDaemons(): Promise<void> {
  await Promise.all([...running].map((d) => d.stop()));
}

/** Resolves once a TCP connection to host:port succeeds; rejects after `timeoutMs`. */
export async function waitForPort(host: string, port: number, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port });
      socket.setTimeout(1000);
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Polls `check` until it returns true; rejects with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A private scratch directory, removed by the returned function. */
export function scratchDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `proxmox-sites-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs a command to completion and returns its status and output (never throws). */
export function run(command: string, args: readonly string[], input?: string, env?: Record<string, string>) {
  const result = spawnSync(command, [...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60000,
  });
  return {
    status: result.status,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
    output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`,
  };
}

/** Absolute path of a program on PATH or in the sbin directories Debian installs daemons to. */
export function findProgram(name: string): string {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/local/sbin"];
  const found = run("bash", ["-c", `PATH=${dirs.join(":")} command -v ${name}`]).stdout.trim();
  if (!found) throw new Error(`${name} is not installed: .ci/install-daemons.sh installs it`);
  return found;
}
