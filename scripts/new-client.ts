import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SiteConfigError } from "../config/problems";
import { loadProfile, PROFILES, scaffoldStack } from "./lib/scaffold";
import { runCommand } from "./lib/exit";
import { helpRequested, parseCommandLine, UsageError, wholeNumberOption } from "./lib/cli";

const usage = `usage: npm run new-client -- <name> --profile <${PROFILES.join("|")}> [--subnet 10.20.0.0/24]
       [--domain client.example] [--host-cores N --host-memory-gb N] [--cpu-vendor amd|intel]
       [--timezone Asia/Jakarta] [--client "Display Name"] [--dir <where to write>]

Writes a validated Pulumi.<name>.yaml from a profile, with free VMIDs and addresses in the subnet.
  <name>                   stack name: lower-case letters, digits and hyphens, starting with a letter
  --profile <profile>      one of ${PROFILES.join(", ")} (required)
  --subnet <cidr>          the site network (default 192.168.0.0/24)
  --domain <zone>          the client's public DNS zone
  --host-cores <N>         logical CPUs of the Proxmox node
  --host-memory-gb <N>     memory of the Proxmox node, GB
  --cpu-vendor amd|intel   CPU vendor of the node
  --timezone <zone>        IANA time zone of the site
  --client <name>          the client's display name
  --dir <dir>              where to write the stack file (default: the repository root)
  -h, --help               print this help
Exit codes: 0 written, 1 the stack would not validate or the file exists, 2 a usage mistake.`;

function positive(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : wholeNumberOption(flag, value, 1);
}

function main(): number {
  if (helpRequested()) {
    console.log(usage);
    return 0;
  }
  const { values, positionals } = parseCommandLine({
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
  if (!name) throw new UsageError("the new stack's <name> is required");
  if (positionals.length > 1) throw new UsageError(`one stack name expected, found ${positionals.join(" ")}`);
  if (!values.profile) throw new UsageError(`--profile <${PROFILES.join("|")}> is required`);
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(name)) {
    throw new UsageError(
      `stack name "${name}" must be lower-case letters, digits and hyphens, starting with a letter`,
    );
  }
  if (!(PROFILES as readonly string[]).includes(values.profile))
    throw new UsageError(`unknown profile "${values.profile}": use one of ${PROFILES.join(", ")}`);
  const vendor = values["cpu-vendor"];
  if (vendor !== undefined && vendor !== "amd" && vendor !== "intel") {
    throw new UsageError(`--cpu-vendor must be amd or intel, found ${vendor}`);
  }
  const root = resolve(__dirname, "..");
  const file = join(values.dir ? resolve(values.dir) : root, `Pulumi.${name}.yaml`);
  if (existsSync(file)) {
    console.error(
      `Pulumi.${name}.yaml already exists: refusing to overwrite it (pick another name or remove it)`,
    );
    return 1;
  }
  const hostCores = positive("--host-cores", values["host-cores"]);
  const hostMemoryGb = positive("--host-memory-gb", values["host-memory-gb"]);
  let scaffold;
  try {
    scaffold = scaffoldStack({
      name,
      profile: loadProfile(root, values.profile),
      subnet: values.subnet,
      domain: values.domain,
      hostCores,
      hostMemoryGb,
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

runCommand(main);
