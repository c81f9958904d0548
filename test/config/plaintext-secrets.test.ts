import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse, stringify } from "yaml";
import { SiteConfigError } from "../../config/problems";
import { secretConfigKeys } from "../../config/schema";
import { parseStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";

const root = resolve(__dirname, "../..");
const PLAIN = "plain-text-credential-value-1234";

/** The school stack file with `extra` config entries added, as text. */
function schoolWith(extra: Record<string, unknown>): string {
  const doc = parse(readFileSync(resolve(root, "Pulumi.school.yaml"), "utf8"));
  Object.assign(doc.config, extra);
  return stringify(doc);
}

function problemsOf(text: string): string[] {
  const file = parseStackFile("case", text);
  try {
    validateSiteConfig("case", file.values);
  } catch (err) {
    if (err instanceof SiteConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("the credential keys", () => {
  it("are exactly Pulumi.yaml's string keys (each a credential with an empty default, set with --secret)", () => {
    // Pulumi.yaml cannot mark them `secret: true` (Pulumi refuses a default on a secret key), so the
    // program's list is the one that counts: a new credential declared there must be listed too.
    const project = parse(readFileSync(resolve(root, "Pulumi.yaml"), "utf8")) as {
      config: Record<string, { type: string; default?: unknown }>;
    };
    const stringKeys = Object.entries(project.config)
      .filter(([, d]) => d.type === "string")
      .map(([k]) => k);
    expect([...stringKeys].sort()).toEqual([...secretConfigKeys].sort());
    for (const key of stringKeys) expect(project.config[key].default).toBe("");
  });
});

describe("a credential written in plain text in the stack file (the plan's path: the YAML itself)", () => {
  it.each(secretConfigKeys)("%s is refused with the command that encrypts it", (key) => {
    const problems = problemsOf(schoolWith({ [`proxmox-sites:${key}`]: PLAIN }));
    expect(problems).toEqual([
      `${key}: is written in plain text; a credential must be encrypted in the stack file: run \`pulumi config set --secret ${key}\` (it replaces the plain value)`,
    ]);
    expect(problems.join("\n")).not.toContain(PLAIN);
  });

  it("is accepted as secure: ciphertext, and an empty value is no value", () => {
    expect(problemsOf(schoolWith({ "proxmox-sites:proxmoxRootPassword": { secure: "v1:abc" } }))).toEqual([]);
    expect(problemsOf(schoolWith({ "proxmox-sites:alertSmtpPassword": "" }))).toEqual([]);
  });

  it("is reported together with the stack's other problems", () => {
    const text = schoolWith({ "proxmox-sites:cloudflareApiToken": PLAIN }).replace(
      "gateway: 10.10.0.1",
      "gateway: 172.16.0.1",
    );
    const paths = problemsOf(text).map((p) => p.split(":")[0]);
    expect(paths).toEqual(expect.arrayContaining(["cloudflareApiToken", "network.gateway"]));
  });
});
