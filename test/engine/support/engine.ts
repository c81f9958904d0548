import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The repository root, where Pulumi.yaml and the stack files live. */
export const repoRoot = resolve(__dirname, "../../..");

const pins = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

/** The provider plugins the program loads, with the version package.json pins for each. */
export const pluginPins: readonly { name: string; version: string }[] = [
  { name: "proxmoxve", version: pins.dependencies["@muhlba91/pulumi-proxmoxve"] },
  { name: "cloudflare", version: pins.dependencies["@pulumi/cloudflare"] },
  { name: "random", version: pins.dependencies["@pulumi/random"] },
  { name: "command", version: pins.dependencies["@pulumi/command"] },
];

export const pulumiVersion = pins.dependencies["@pulumi/pulumi"];

/** Where scripts/engine/build.sh puts what it builds. */
export function engineHome(): string {
  return (
    process.env.PULUMI_ENGINE_HOME ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "proxmox-sites", "engine")
  );
}

export interface Engine {
  /** Directory whose bin/ holds the CLI (what PulumiCommand.get({ root }) takes). */
  root: string;
  /** Plugin binaries found, by plugin name. */
  plugins: Map<string, string>;
  /** Plugins the program needs that are not built, with the build script's reason. */
  missing: { name: string; version: string; why: string }[];
}

function cliVersion(binary: string): string | undefined {
  try {
    return execFileSync(binary, ["version"], { encoding: "utf8", timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

function pathCli(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const candidate = join(dir, "pulumi");
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The build script's last word on a piece it could not build (its status file). */
function buildReason(name: string): string {
  const status = join(engineHome(), "status.txt");
  if (!existsSync(status)) return "not built: run bash scripts/engine/build.sh";
  const line = readFileSync(status, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`pulumi-resource-${name} `));
  return line ?? "not built: run bash scripts/engine/build.sh";
}

/**
 * The engine this machine has: the CLI at the pinned version (built into the cache, or a
 * `pulumi` of that version on PATH) and whichever provider plugins are built. Undefined with
 * the reason when there is no CLI of the right version.
 */
export function findEngine(): { engine?: Engine; reason?: string } {
  const wanted = `v${pulumiVersion}`;
  const built = join(engineHome(), `pulumi-${wanted}`);
  let root: string | undefined;
  if (cliVersion(join(built, "bin", "pulumi")) === wanted) root = built;
  else {
    const onPath = pathCli();
    if (onPath && cliVersion(onPath) === wanted) root = resolve(onPath, "..", "..");
  }
  if (!root)
    return {
      reason: `no Pulumi CLI ${wanted} in ${built} or on PATH (build it: bash scripts/engine/build.sh)`,
    };
  const plugins = new Map<string, string>();
  const missing: Engine["missing"] = [];
  for (const pin of pluginPins) {
    const binary = join(
      engineHome(),
      "plugins",
      `${pin.name}-v${pin.version}`,
      `pulumi-resource-${pin.name}`,
    );
    if (existsSync(binary)) plugins.set(pin.name, binary);
    else missing.push({ ...pin, why: buildReason(pin.name) });
  }
  return { engine: { root, plugins, missing } };
}

/**
 * Environment for a CLI run that touches nothing of the user's: its own PULUMI_HOME and
 * file backend in a scratch directory, a fixed passphrase, no plugin downloads, no updates.
 */
export function isolatedEnv(scratch = mkdtempSync(join(tmpdir(), "engine-"))): {
  scratch: string;
  env: Record<string, string>;
} {
  return {
    scratch,
    env: {
      PULUMI_HOME: join(scratch, "home"),
      PULUMI_BACKEND_URL: `file://${join(scratch, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "false",
    },
  };
}
