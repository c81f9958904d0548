/** Child processes for the box: every call bounded in time, output captured, failures explained. */
import { spawn, type SpawnOptions } from "node:child_process";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** True when the time bound killed the process. */
  timedOut: boolean;
}

export interface RunOptions {
  /** Written to the process's stdin, then closed. */
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a program to completion (or its time bound) and returns its exit code and output. */
export function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((done, fail) => {
    const spawnOptions: SpawnOptions = { env: options.env ?? process.env, cwd: options.cwd, stdio: "pipe" };
    const child = spawn(program, args, spawnOptions);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout!.on("data", (b: Buffer) => out.push(b));
    child.stderr!.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(new Error(`${program}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
      });
    });
    child.stdin!.on("error", () => undefined);
    child.stdin!.end(options.input ?? "");
  });
}

/** Runs a program and throws with its stderr when it fails. */
export async function must(
  program: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const r = await run(program, args, options);
  if (r.code !== 0) {
    const why = r.timedOut ? "timed out" : `exit ${r.code}`;
    throw new Error(`${program} ${args.join(" ")}: ${why}: ${r.stderr.trim().slice(-2000)}`);
  }
  return r.stdout;
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Polls `check` every `everyMs` until it returns a value or `timeoutMs` passes (then throws `what`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}
