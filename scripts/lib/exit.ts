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

/** The `.then` pair every script's `main()` ends with. */
export function finish(main: Promise<number>): void {
  main.then(exitAfterFlush, (err: unknown) => {
    // The message is for the operator; the stack only when asked for (DEBUG=1).
    console.error(err instanceof Error ? (process.env.DEBUG ? err.stack : err.message) : err);
    exitAfterFlush(1);
  });
}
