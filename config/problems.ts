/** One thing wrong (or worth a warning) in a stack file, named by its key path. */
export interface ConfigProblem {
  /** Dotted key path inside the stack file, e.g. nextcloud.bowbo.ip. */
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.path}: ${p.message}`;
}

/** Thrown when a stack file is invalid; carries every problem found, not just the first. */
export class SiteConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `stack "${stack}" has ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
    );
    this.name = "SiteConfigError";
  }
}
