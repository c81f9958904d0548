import { spawn } from "node:child_process";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script as the operator does, in its own process, bounded in time. */
function runScript(script: string, args: string[]): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(tsx, [join(root, script), ...args], {
      cwd: root,
      env: { ...process.env, DEBUG: "" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

const scripts = [
  "scripts/plan.ts",
  "scripts/plan-diff.ts",
  "scripts/new-client.ts",
  "bench/deploy.ts",
  "bench/engine-preview.ts",
  "bench/moodle-lb.ts",
  "bench/replication-lag.ts",
];

/** A mistake on the command line: one line on stderr naming it, nothing on stdout, exit 2. */
function expectOneLineMistake(out: Outcome, about: RegExp) {
  expect(out.stdout).toBe("");
  const lines = out.stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(about);
  expect(lines[0]).toContain("--help");
  expect(out.stderr).not.toMatch(/^\s+at /m);
  expect(out.status).toBe(2);
}

describe("every command-line script", () => {
  jest.setTimeout(180_000);

  it.each(scripts)("%s answers --help with its usage and exit 0", async (script) => {
    const out = await runScript(script, ["--help"]);
    expect(out.stderr).toBe("");
    expect(out.stdout).toMatch(/^usage: /);
    expect(out.stdout).toContain("--help");
    expect(out.status).toBe(0);
  });

  it.each(scripts)("%s refuses an unknown option in one line, without a stack trace", async (script) => {
    expectOneLineMistake(await runScript(script, ["--bogus"]), /unknown option '--bogus'/i);
  });
});

const mistakes: [string, string[], RegExp][] = [
  ["scripts/plan.ts", [], /--stack <name> is required/],
  ["scripts/plan.ts", ["--stack"], /'--stack <value>' argument missing/],
  ["scripts/plan.ts", ["--stack", "nope"], /unknown stack "nope".*stacks there: prod, school, staging/],
  ["scripts/plan-diff.ts", ["--base", "no-such-ref-xyz"], /--base no-such-ref-xyz is not a commit/],
  ["scripts/new-client.ts", ["--profile", "minimal"], /<name> is required/],
  ["scripts/new-client.ts", ["acme", "--profile", "castle"], /unknown profile "castle"/],
  ["scripts/new-client.ts", ["Acme", "--profile", "minimal"], /stack name "Acme" must be/],
  ["scripts/new-client.ts", ["acme", "--profile", "minimal", "--host-cores", "many"], /--host-cores must be/],
  ["scripts/new-client.ts", ["acme", "--profile", "minimal", "--cpu-vendor", "arm"], /--cpu-vendor must be/],
  ["bench/deploy.ts", ["--stack", "nope"], /unknown stack "nope"/],
  ["bench/deploy.ts", ["--scale", "0"], /--scale must be a number above 0/],
  ["bench/deploy.ts", ["--runs", "two"], /--runs must be a whole number/],
  [
    "bench/replication-lag.ts",
    ["--apply-threads", "99"],
    /--apply-threads must be a whole number from 0 to 64/,
  ],
];

describe("a user mistake", () => {
  jest.setTimeout(180_000);

  it.each(mistakes)("%s %j is one clear line and exit 2", async (script, args, about) => {
    expectOneLineMistake(await runScript(script, args), about);
  });
});
