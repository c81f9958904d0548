import { findProgram, run } from "./daemon";

/** What `bash -n` and shellcheck (every severity, as bash) find in a script; "" when it is clean. */
export function shellProblems(script: string): string {
  const syntax = run("bash", ["-n"], script);
  if (syntax.status !== 0) return syntax.output || "bash -n failed";
  const lint = run(findProgram("shellcheck"), ["--severity=style", "--shell=bash", "-"], script);
  return lint.status === 0 ? lint.output : lint.output || `shellcheck exited ${lint.status}`;
}

/** Fails the test with the findings when a rendered script is not clean. */
export function expectCleanShell(script: string): void {
  expect(shellProblems(script)).toBe("");
}
