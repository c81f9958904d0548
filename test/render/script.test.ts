import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderPrelude, renderScript, renderStdin } from "../../components/proxmox/script";
import { run, scratchDir } from "../live/support/daemon";
import { shellProblems } from "../live/support/shell";

describe("provisioning script builder", () => {
  const secret = `${randomBytes(9).toString("base64")}&'"$\\`;
  const script = renderScript({
    summary: "writes a config that needs a secret",
    files: [
      {
        path: "/etc/demo/app.conf",
        content: "user = app\npassword = @@DEMO_PASSWORD@@\n",
        mode: "0600",
        onChange: "echo changed app.conf",
      },
      { path: "/etc/demo/plain.conf", content: "line with 'quotes' and $dollars\nPROXMOX_SITES_EOF\n" },
    ],
    body: 'echo "done"',
  });

  it("never contains the secret, only its placeholder and a required-variable check", () => {
    expect(script).not.toContain(secret);
    expect(script).toContain("@@DEMO_PASSWORD@@");
    expect(script).toContain("${DEMO_PASSWORD:?");
  });

  it("passes bash -n and shellcheck", () => {
    expect(run("bash", ["-n"], script).status).toBe(0);
    const sc = run("shellcheck", ["-s", "bash", "-"], script);
    expect(sc.output).toBe("");
    expect(sc.status).toBe(0);
  });

  it("writes files with the secret filled in, and a second run changes nothing", () => {
    const dir = scratchDir("script");
    try {
      const stdin = renderPrelude({ DEMO_PASSWORD: secret }) + script;
      const first = run("bash", ["-s"], stdin, { PROVISION_ROOT: dir.path });
      expect(first.status).toBe(0);
      expect(first.stdout).toContain("changed app.conf");
      const file = join(dir.path, "etc/demo/app.conf");
      expect(readFileSync(file, "utf8")).toBe(`user = app\npassword = ${secret}\n`);
      expect((statSync(file).mode & 0o777).toString(8)).toBe("600");
      expect(readFileSync(join(dir.path, "etc/demo/plain.conf"), "utf8")).toBe(
        "line with 'quotes' and $dollars\nPROXMOX_SITES_EOF\n",
      );
      const second = run("bash", ["-s"], stdin, { PROVISION_ROOT: dir.path });
      expect(second.status).toBe(0);
      expect(second.stdout).not.toContain("changed");
    } finally {
      dir.remove();
    }
  });

  it("stops before changing anything when the prelude lacks a secret", () => {
    const dir = scratchDir("script-missing");
    try {
      const result = run("bash", ["-s"], script, { PROVISION_ROOT: dir.path, DEMO_PASSWORD: "" });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain("DEMO_PASSWORD must be exported by the stdin prelude");
      expect(run("ls", ["-A", dir.path]).stdout).toBe("");
    } finally {
      dir.remove();
    }
  });
});

describe("the shell checker the render tests share", () => {
  it("reports a syntax error and a shellcheck finding, and nothing for a clean script", () => {
    expect(shellProblems("if then fi\n")).not.toBe("");
    expect(shellProblems('#!/usr/bin/env bash\nx="a b"\necho $x\n')).toContain("SC2086");
    expect(shellProblems('#!/usr/bin/env bash\nx="a b"\necho "$x"\n')).toBe("");
  });
});

describe("provisioning stdin", () => {
  function runBash(stdin: string, path: string): Promise<{ code: number; output: string }> {
    return new Promise((done) => {
      const child = spawn("bash", ["-s"], { env: { ...process.env, PATH: path } });
      let output = "";
      child.stdout.on("data", (b: Buffer) => (output += b.toString()));
      child.stderr.on("data", (b: Buffer) => (output += b.toString()));
      child.on("close", (code) => done({ code: code ?? 1, output }));
      child.stdin.end(stdin);
    });
  }

  it("lets two scripts of one guest install packages at the same time: the second waits instead of failing", async () => {
    // apt-get as apt behaves: a second one while the first holds the lists lock fails at once.
    const dir = scratchDir("provision-lock");
    try {
      writeFileSync(
        join(dir.path, "apt-get"),
        `#!/bin/bash\nexec 8>"${dir.path}/lists.lock"\nflock -n 8 || { echo "E: Could not get lock" >&2; exit 100; }\nsleep 0.5\n`,
        { mode: 0o755 },
      );
      const script = renderScript({
        summary: "installs a package",
        setup: "apt-get update -qq",
        body: "echo installed",
      });
      const path = `${dir.path}:${process.env.PATH}`;
      const stdin = renderStdin({ DEMO_PASSWORD: "x" }, script);
      const results = await Promise.all([runBash(stdin, path), runBash(stdin, path)]);
      for (const r of results) {
        expect(r.output).toContain("installed");
        expect(r.code).toBe(0);
      }
    } finally {
      dir.remove();
    }
  });

  it("exports the prelude's variables to the script", () => {
    const r = run("bash", ["-s"], renderStdin({ DEMO_PASSWORD: "p'w" }, 'echo "[$DEMO_PASSWORD]"\n'));
    expect(r.stdout).toBe("[p'w]\n");
  });
});
