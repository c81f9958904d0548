import { PROVISION_LOCK_FILE } from "../../components/proxmox/script";
import { runUnderMocks, type MockRun } from "../../scripts/lib/mock-run";

const COMMAND = "command:remote:Command";

describe.each(["prod", "staging", "school"])("provisioning commands of %s", (stack) => {
  let run: MockRun;
  beforeAll(async () => {
    run = await runUnderMocks(stack);
  });

  it("run a script over SSH with triggers on the script and on its secrets, logging nothing", () => {
    const commands = run.resources.filter((r) => r.type === COMMAND && r.inputs.stdin !== undefined);
    expect(commands.length).toBeGreaterThan(10);
    for (const c of commands) {
      expect(c.inputs.create).toMatch(/^(pct exec \d+ -- )?bash -s$/);
      expect(c.inputs.logging).toBe("none");
      expect(c.inputs.addPreviousOutputInEnv).toBe(false);
      expect(c.inputs.environment).toBeUndefined();
      const triggers = c.inputs.triggers as unknown[];
      expect(triggers).toHaveLength(2);
      expect(triggers[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(c.secretPaths).toEqual(expect.arrayContaining(["stdin", "triggers.1"]));
    }
  });

  it("keep every secret in the stdin prelude, never in the script text", () => {
    for (const c of run.resources.filter((r) => r.type === COMMAND && r.inputs.stdin !== undefined)) {
      const stdin = String(run.clearInputs.get(c.urn)?.stdin);
      const scriptStart = stdin.indexOf("#!/usr/bin/env bash");
      expect(scriptStart).toBeGreaterThanOrEqual(0);
      // The guest's provisioning lock, then nothing but export lines.
      const prelude = stdin.slice(0, scriptStart).split("\n").filter(Boolean);
      expect(prelude.slice(0, 2)).toEqual([
        `exec 7>${PROVISION_LOCK_FILE}`,
        expect.stringMatching(/^flock -w \d+ 7 /),
      ]);
      expect(prelude.slice(2).every((line) => /^export [A-Z][A-Z0-9_]*='/.test(line))).toBe(true);
      const script = stdin.slice(scriptStart);
      for (const secret of run.generatedSecrets) expect(script.includes(secret)).toBe(false);
    }
  });

  it("hands each generated password to a script only through the prelude", () => {
    const preludes = run.resources
      .filter((r) => r.type === COMMAND)
      .map((c) => String(run.clearInputs.get(c.urn)?.stdin ?? ""))
      .join("\n");
    const passwords = run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(passwords.length).toBeGreaterThan(0);
    // A generated password reaches its script either itself or as a hash; either way the script
    // text stays free of it (checked above) and the command's stdin is secret.
    expect(preludes).toContain("export ");
  });
});
