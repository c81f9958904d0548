/**
 * A credential set without --secret, under the real CLI: Pulumi hands the program every config
 * value as a string and lists the encrypted keys apart (PULUMI_CONFIG_SECRET_KEYS), so only the
 * runtime's secret-key list tells a plain value from a secure: one. The program must refuse it,
 * naming the key and the command, before it registers any resource.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findEngine, repoRoot } from "./support/engine";
import { previewStack } from "./support/preview";

const { engine } = findEngine();
const withCli = engine ? describe : describe.skip;
const PLAIN = "plain-root-password-in-the-stack-file";

withCli("the real CLI's preview of a stack with a plain-text credential", () => {
  jest.setTimeout(300_000);

  it("stops in validation with the pulumi config set --secret command, before any resource", async () => {
    const text =
      readFileSync(join(repoRoot, "Pulumi.school.yaml"), "utf8") +
      `  proxmox-sites:proxmoxRootPassword: ${PLAIN}\n`;
    const outcome = await previewStack("school", text);
    expect(outcome.ok).toBe(false);
    const all = [...outcome.errors, outcome.cliError ?? ""].join("\n");
    expect(all).toContain("proxmoxRootPassword: is written in plain text");
    expect(all).toContain("pulumi config set --secret proxmoxRootPassword");
    expect(all).not.toContain(PLAIN);
    expect(outcome.steps.filter((s) => s.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});
