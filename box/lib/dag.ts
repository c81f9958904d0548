/**
 * Runs steps as `pulumi up` would: each as soon as everything it waits for has succeeded, up to
 * `parallel` at once; a failed step's dependents are skipped, everything else still runs.
 */

export interface DagStep {
  urn: string;
  name: string;
  after: string[];
  run: () => Promise<void>;
}

export type StepStatus = "ok" | "failed" | "skipped";

export interface StepResult {
  name: string;
  status: StepStatus;
  /** Seconds from the run's start. */
  startSeconds: number;
  seconds: number;
  error?: string;
}

export async function runDag(
  steps: DagStep[],
  parallel: number,
  log: (line: string) => void,
): Promise<StepResult[]> {
  const t0 = Date.now();
  const byUrn = new Map(steps.map((s) => [s.urn, s]));
  const status = new Map<string, StepStatus | "running">();
  const results: StepResult[] = [];
  let running = 0;
  return new Promise((done) => {
    const pump = () => {
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const s of steps) {
          if (status.has(s.urn)) continue;
          const deps = s.after.filter((a) => byUrn.has(a));
          const blocked = deps.find((a) => status.get(a) === "failed" || status.get(a) === "skipped");
          if (blocked) {
            status.set(s.urn, "skipped");
            const error = `not run: ${byUrn.get(blocked)!.name} did not succeed`;
            results.push({ name: s.name, status: "skipped", startSeconds: 0, seconds: 0, error });
            log(`skip  ${s.name} (${error})`);
            progressed = true;
            continue;
          }
          if (running >= parallel || !deps.every((a) => status.get(a) === "ok")) continue;
          status.set(s.urn, "running");
          running++;
          progressed = true;
          const start = Date.now();
          log(`start ${s.name}`);
          s.run().then(
            () => finish(s, "ok", start),
            (err: unknown) => finish(s, "failed", start, err instanceof Error ? err.message : String(err)),
          );
        }
      }
      if (running === 0 && status.size === steps.length) done(results);
    };
    const finish = (s: DagStep, st: StepStatus, start: number, error?: string) => {
      running--;
      status.set(s.urn, st);
      const seconds = (Date.now() - start) / 1000;
      results.push({ name: s.name, status: st, startSeconds: (start - t0) / 1000, seconds, error });
      log(
        `${st === "ok" ? "done " : "FAIL "} ${s.name} (${seconds.toFixed(1)} s)${error ? `: ${error}` : ""}`,
      );
      pump();
    };
    pump();
  });
}
