import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./engine";

/** What one real `pulumi preview` of a stack did, read from the engine's event stream. */
export interface PreviewOutcome {
  ok: boolean;
  /** Error diagnostics, one message each. */
  errors: string[];
  /** Warning diagnostics the engine or a provider printed. */
  warnings: string[];
  /** Planned operations by resource type (`create`, `same`, …). */
  steps: { type: string; urn: string; op: string }[];
  /** The CLI's own error when it stopped before the program ran (config validation and the like). */
  cliError?: string;
  seconds: number;
}

/** Previews a stack with the real CLI in a child process (preview-run.ts); `stackText` replaces the stack file. */
export function previewStack(stack: string, stackText?: string): Promise<PreviewOutcome> {
  const args = ["tsx", join(__dirname, "preview-run.ts"), stack];
  if (stackText !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), "engine-stack-")), `Pulumi.${stack}.yaml`);
    writeFileSync(file, stackText);
    args.push(file);
  }
  return new Promise((resolve, reject) => {
    const child = spawn("npx", args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 280_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as PreviewOutcome);
      } catch {
        reject(new Error(`preview of ${stack} exited ${code}: ${stderr.slice(-2000)}`));
      }
    });
  });
}
