/**
 * Problem reporting for renderers: every problem with an input is collected, then thrown at once,
 * each naming its key, what was found and what is expected. Pure: no Pulumi import.
 */

/** Collects every problem with an input, then throws them all at once, each naming its key. */
export class Problems {
  private readonly found: string[] = [];
  constructor(private readonly prefix: string) {}

  check(ok: boolean, key: string, value: unknown, expected: string): void {
    if (!ok) this.found.push(`${this.prefix}.${key}: ${JSON.stringify(value)} is not ${expected}`);
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw new Error(this.found.join("\n"));
  }
}

/** Throws one Error listing every problem found (`undefined` entries are no problem), or returns quietly. */
export function throwIfProblems(what: string, problems: readonly (string | undefined)[]): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length > 0) throw new Error(`invalid ${what}:\n  ${found.join("\n  ")}`);
}
