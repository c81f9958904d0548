import { UsageError } from "./cli";

/**
 * Ends a command-line run with `code` once everything written to stdout and stderr has left the
 * process. A bare process.exit cuts piped output short (Node writes to pipes asynchronously), and
 * `npm run plan -- --json | …` must get the whole document; the exit itself is needed because
 * Pulumi's runtime keeps handles open after the program ran.
 */
export function exitAfterFlush(code: number): void {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

/** Exit code of a command-line mistake (as getopt-style tools use). */
export const USAGE_EXIT_CODE = 2;

/**
 * The `.then` pair every script's `main()` ends with. A UsageError is one line and exit 2, with a
 * pointer to `--help`; any other error prints its message, and its stack only when asked (DEBUG=1).
 */
export function finish(main: Promise<number>, helpHint = "run with --help for usage"): void {
  main.then(exitAfterFlush, (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message} (${helpHint})`);
      exitAfterFlush(USAGE_EXIT_CODE);
      return;
    }
    console.error(err instanceof Error ? (process.env.DEBUG ? err.stack : err.message) : err);
    exitAfterFlush(1);
  });
}

/** Runs a command's `main` (sync or async) under `finish`, so a synchronous throw is handled too. */
export function runCommand(main: () => number | Promise<number>, helpHint?: string): void {
  finish(
    Promise.resolve().then(() => main()),
    helpHint,
  );
}
