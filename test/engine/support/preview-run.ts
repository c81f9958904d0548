import { LocalWorkspace, PulumiCommand, type EngineEvent } from "@pulumi/pulumi/automation";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildProgram } from "../../../components/program";
import { findEngine, isolatedEnv, pluginPins, repoRoot, type Engine } from "./engine";

/** What one real `pulumi preview` of a stack did, read from the engine's event stream. */
interface PreviewOutcome {
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

/**
 * Runs in a process of its own (see preview.ts): the Pulumi runtime is global to a process, and
 * when the engine stops early the program's outstanding calls reject there, not in the tests.
 *
 * Runs the real CLI's `pulumi preview` on a stack with the program inline (the Automation API
 * serves the language runtime in this process, so no separate Node.js language host is needed),
 * in a scratch project with its own backend. The stack's file is the repository's or `stackText`.
 */
async function previewStack(engine: Engine, stack: string, stackText?: string): Promise<PreviewOutcome> {
  const { scratch, env } = isolatedEnv();
  const dir = join(scratch, "project");
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(scratch, "state"), { recursive: true });
  copyFileSync(join(repoRoot, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  if (stackText === undefined)
    copyFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
  else writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stackText);

  const pulumiCommand = await PulumiCommand.get({ root: engine.root });
  // The plugins go into this run's own PULUMI_HOME, at the versions package.json pins.
  for (const pin of pluginPins) {
    const binary = engine.plugins.get(pin.name);
    if (!binary) continue;
    execFileSync(
      pulumiCommand.command,
      ["plugin", "install", "resource", pin.name, `v${pin.version}`, "--file", binary],
      {
        env: { ...process.env, ...env },
        stdio: "ignore",
        timeout: 60_000,
      },
    );
  }
  const stackHandle = await LocalWorkspace.createOrSelectStack(
    { stackName: stack, projectName: "proxmox-sites", program: async () => buildProgram() },
    { workDir: dir, pulumiCommand, envVars: env },
  );

  const outcome: PreviewOutcome = { ok: false, errors: [], warnings: [], steps: [], seconds: 0 };
  const started = Date.now();
  const onEvent = (event: EngineEvent): void => {
    const diag = event.diagnosticEvent;
    if (diag?.severity === "error") outcome.errors.push(diag.message.trim());
    if (diag?.severity === "warning") outcome.warnings.push(diag.message.trim());
    const pre = event.resourcePreEvent?.metadata;
    if (pre) outcome.steps.push({ type: pre.type, urn: pre.urn, op: pre.op });
  };
  try {
    await stackHandle.preview({ onEvent });
    outcome.ok = true;
  } catch (err) {
    if (outcome.steps.length === 0) outcome.cliError = err instanceof Error ? err.message : String(err);
  }
  outcome.seconds = (Date.now() - started) / 1000;
  return outcome;
}

/** argv: <stack> [<stack file to use instead of the repository's>]; prints the outcome as JSON. */
async function main(): Promise<void> {
  const [stack, file] = process.argv.slice(2);
  const { engine, reason } = findEngine();
  if (!engine) throw new Error(reason);
  const outcome = await previewStack(engine, stack, file ? readFileSync(file, "utf8") : undefined);
  process.stdout.write(`${JSON.stringify(outcome)}\n`, () => process.exit(0));
}

process.on("unhandledRejection", () => {
  // The program's calls still in flight when the engine stops: the engine's own errors are in the outcome.
});
void main();
