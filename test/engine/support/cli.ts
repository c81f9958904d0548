import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isolatedEnv, repoRoot } from "./engine";

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * A scratch project for the real CLI: the repository's Pulumi.yaml and one stack file (the
 * repository's own or given text) in a directory of its own, with its own PULUMI_HOME and
 * file backend, so nothing in the checkout or the user's Pulumi state is touched.
 */
export class ScratchProject {
  readonly dir: string;
  readonly env: Record<string, string>;

  constructor(
    private readonly cli: string,
    readonly stack: string,
    stackText?: string,
  ) {
    const { scratch, env } = isolatedEnv();
    this.dir = join(scratch, "project");
    this.env = env;
    mkdirSync(this.dir, { recursive: true });
    mkdirSync(join(scratch, "state"), { recursive: true });
    copyFileSync(join(repoRoot, "Pulumi.yaml"), join(this.dir, "Pulumi.yaml"));
    const stackFile = join(this.dir, `Pulumi.${stack}.yaml`);
    if (stackText === undefined) copyFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), stackFile);
    else writeFileSync(stackFile, stackText);
  }

  run(args: string[]): CliResult {
    const result = spawnSync(this.cli, [...args, "--non-interactive"], {
      cwd: this.dir,
      env: { ...process.env, ...this.env },
      encoding: "utf8",
      timeout: 120_000,
    });
    return { status: result.status ?? -1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  }

  /** `pulumi stack init` against the scratch file backend, failing loudly if the CLI refuses. */
  init(): void {
    const result = this.run(["stack", "init", this.stack]);
    if (result.status !== 0) throw new Error(`pulumi stack init ${this.stack}: ${result.stderr}`);
  }
}
