import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SiteConfigError } from "../config/problems";
import { loadProfile, PROFILES, scaffoldStack } from "./lib/scaffold";
import { exitAfterFlush } from "./lib/exit";

const usage = `usage: npm run new-client -- <name> --profile <${PROFILES.join("|")}> [--subnet 10.20.0.0/24]
       [--domain client.example] [--host-cores N --host-memory-gb N] [--cpu-vendor amd|intel]
       [--timezone Asia/Jakarta] [--client "Display Name"] [--dir <where to write>]`;

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${flag} must be a whole number above 0, found ${value}`);
  return n;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      profile: { type: "string" },
      subnet: { type: "string", default: "192.168.0.0/24" },
      domain: { type: "string" },
      "host-cores": { type: "string" },
      "host-memory-gb": { type: "string" },
      "cpu-vendor": { type: "string" },
      timezone: { type: "string" },
      client: { type: "string" },
      /** Where to write the stack file; the repository root by default. */
      dir: { type: "string" },
    },
  });
  const name = positionals[0];
  if (!name || positionals.length > 1 || !values.profile) {
    console.error(usage);
    return 2;
  }
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(name)) {
    console.error(
      `stack name "${name}" must be lower-case letters, digits and hyphens, starting with a letter`,
    );
    return 2;
  }
  const vendor = values["cpu-vendor"];
  if (vendor !== undefined && vendor !== "amd" && vendor !== "intel") {
    console.error(`--cpu-vendor must be amd or intel, found ${vendor}`);
    return 2;
  }
  const root = resolve(__dirname, "..");
  const file = join(values.dir ? resolve(values.dir) : root, `Pulumi.${name}.yaml`);
  if (existsSync(file)) {
    console.error(
      `Pulumi.${name}.yaml already exists: refusing to overwrite it (pick another name or remove it)`,
    );
    return 1;
  }
  let scaffold;
  try {
    scaffold = scaffoldStack({
      name,
      profile: loadProfile(root, values.profile),
      subnet: values.subnet,
      domain: values.domain,
      hostCores: positive("--host-cores", values["host-cores"]),
      hostMemoryGb: positive("--host-memory-gb", values["host-memory-gb"]),
      cpuVendor: vendor,
      timezone: values.timezone,
      client: values.client,
    });
  } catch (err) {
    console.error(err instanceof SiteConfigError || err instanceof Error ? err.message : String(err));
    return 1;
  }
  writeFileSync(file, scaffold.text, { flag: "wx" });
  const lines = [
    `wrote Pulumi.${name}.yaml (profile ${values.profile}, ${scaffold.allocations.length} addresses in ${values.subnet}); it validates.`,
    ...(scaffold.fitted.length
      ? ["", "Fitted to the host (--host-cores/--host-memory-gb):", ...scaffold.fitted.map((w) => `  - ${w}`)]
      : []),
    ...(scaffold.warnings.length ? ["", "Warnings:", ...scaffold.warnings.map((w) => `  - ${w}`)] : []),
    "",
    "Next steps (docs/onboarding.md walks through each):",
    `  1. Edit Pulumi.${name}.yaml: every REPLACE (node name, CPU vendor, admin e-mails, Cloudflare ids).`,
    `  2. See the plan, tables and diagram without credentials: npm run plan -- --stack ${name} --out out/${name}`,
    "  3. Create the Proxmox API token and the Cloudflare token with the privileges in docs/onboarding.md.",
    `  4. pulumi stack init ${name}, then set the credentials (pulumi prompts for each value):`,
    ...scaffold.secrets.map(
      (s) => `       pulumi config set --secret -s ${name} ${s.key}${s.input ? ` ${s.input}` : ""}`,
    ),
    `  5. pulumi preview --diff -s ${name}, then pulumi up -s ${name}`,
  ];
  console.log(lines.join("\n"));
  return 0;
}

exitAfterFlush(main());
