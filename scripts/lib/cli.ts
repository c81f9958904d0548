import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { listStacks } from "./stacks";

/**
 * A mistake on the command line (unknown option, missing or bad value, unknown stack): the operator
 * gets one line saying what is wrong and exit code 2, never a stack trace.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** True when the arguments ask for help (`--help` or `-h` before any `--`). */
export function helpRequested(argv: readonly string[] = process.argv.slice(2)): boolean {
  const end = argv.indexOf("--");
  const own = end >= 0 ? argv.slice(0, end) : argv;
  return own.includes("--help") || own.includes("-h");
}

/** `parseArgs` (strict) whose errors are UsageErrors. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>(config);
  } catch (err) {
    // Node's own text goes on about positional arguments after `--`: keep the first sentence.
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(message.split(". To specify")[0].replace(/\s+/g, " "));
  }
}

/** Throws a UsageError unless `dir` holds Pulumi.<stack>.yaml; the message lists the stacks there. */
export function requireStackFile(dir: string, stack: string): void {
  if (existsSync(join(dir, `Pulumi.${stack}.yaml`))) return;
  const known = existsSync(dir) ? listStacks(dir) : [];
  throw new UsageError(
    `unknown stack "${stack}": there is no Pulumi.${stack}.yaml in ${dir}` +
      (known.length > 0 ? ` (stacks there: ${known.join(", ")})` : ""),
  );
}

/** A whole number within [min, max] given for `flag`, or a UsageError. */
export function wholeNumberOption(flag: string, value: string, min: number, max = Infinity): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} must be a whole number ${range}, found "${value}"`);
  }
  return n;
}
