import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse, stringify } from "yaml";
import { SiteConfigError } from "../../config/problems";
import { parseStackFile } from "../../config/stack-file";
import { configFromStackFile } from "../../scripts/lib/mock-run";

const root = resolve(__dirname, "../..");
const PLAIN = "plain-text-root-password-5678";

/**
 * `loadSite` as `pulumi up` runs it: Pulumi hands the program every value as a string and lists the
 * encrypted keys apart, so a plain credential is only visible through the runtime's secret-key list.
 */
async function loadWith(extra: Record<string, unknown>): Promise<string[]> {
  const doc = parse(readFileSync(resolve(root, "Pulumi.school.yaml"), "utf8"));
  Object.assign(doc.config, extra);
  const { config, secretKeys } = configFromStackFile(parseStackFile("school", stringify(doc)));
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs },
    "proxmox-sites",
    "school",
    false,
  );
  pulumi.runtime.setAllConfig(config, secretKeys);
  // Imported after the mocks, as the program itself is.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadSite } = require("../../config/load") as typeof import("../../config/load");
  try {
    loadSite();
  } catch (err) {
    if (err instanceof SiteConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("loadSite with a credential set without --secret", () => {
  it("refuses it, naming the key and the command, without echoing the value", async () => {
    const problems = await loadWith({ "proxmox-sites:proxmoxRootPassword": PLAIN });
    expect(problems).toEqual([expect.stringMatching(/^proxmoxRootPassword: is written in plain text/)]);
    expect(problems[0]).toContain("pulumi config set --secret proxmoxRootPassword");
    expect(problems.join("\n")).not.toContain(PLAIN);
  });

  it("accepts the same key set with --secret", async () => {
    expect(await loadWith({ "proxmox-sites:proxmoxRootPassword": { secure: "v1:abc" } })).toEqual([]);
  });
});
