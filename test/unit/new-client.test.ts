import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ipaddr from "ipaddr.js";
import { guestInventory } from "../../config/inventory";
import { parseStackFile, plaintextSecrets } from "../../config/stack-file";
import { secretConfigKeys } from "../../config/schema";
import { validateSiteConfig } from "../../config/validate";
import { buildPlan } from "../../scripts/lib/plan-build";
import { HostTooSmallError } from "../../scripts/lib/fit";
import { loadProfile, PROFILES, scaffoldStack } from "../../scripts/lib/scaffold";

const ROOT = resolve(__dirname, "../..");
const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "new-client-test-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(PROFILES)("a client scaffolded from profile %s", (profileName) => {
  const name = `t-${profileName.split("-")[0]}`;
  const subnet = "10.77.8.0/24";

  it("validates, keeps every address inside the subnet and plans under mocks", async () => {
    const s = scaffoldStack({
      name,
      profile: loadProfile(ROOT, profileName),
      subnet,
      domain: "client.example",
    });
    const file = parseStackFile(name, s.text);
    expect(file.values).toEqual(s.values);
    expect(file.secureKeys).toEqual([]);
    expect(plaintextSecrets(file)).toEqual([]);
    const site = validateSiteConfig(name, file.values).config;
    const range = ipaddr.IPv4.parseCIDR(subnet);
    const guests = guestInventory(site);
    expect(guests.length).toBeGreaterThan(0);
    for (const g of guests) {
      expect(ipaddr.IPv4.parse(g.ip).match(range)).toBe(true);
      expect(["10.77.8.0", "10.77.8.1", "10.77.8.2", "10.77.8.255"]).not.toContain(g.ip);
    }
    expect(site.proxmox.nodes[0].address).toBe("10.77.8.2");
    expect(site.network.gateway).toBe("10.77.8.1");
    expect(JSON.stringify(file.values)).not.toContain("auto");
    expect(JSON.stringify(file.values)).not.toContain("${");

    writeFileSync(join(scratch, `Pulumi.${name}.yaml`), s.text);
    const { plan } = await buildPlan(name, scratch);
    const containers = plan.resources.filter((r) => r.type === CONTAINER);
    expect(containers.map((c) => c.inputs.vmId).sort()).toEqual(
      guests
        .filter((g) => g.kind === "lxc")
        .map((g) => g.vmid)
        .sort(),
    );
    expect(plan.ipPlan.map((r) => r.ip)).toEqual(expect.arrayContaining(guests.map((g) => g.ip)));
  }, 60_000);

  it("names each credential only in a commented pulumi config set --secret line", () => {
    const s = scaffoldStack({ name, profile: loadProfile(ROOT, profileName), subnet });
    const lines = s.text.split("\n");
    for (const key of secretConfigKeys) {
      for (const line of lines.filter((l) => l.includes(key))) {
        expect(line).toMatch(new RegExp(`^#\\s+pulumi config set --secret -s ${name} ${key}\\b`));
      }
    }
    expect(s.secrets.map((x) => x.key)).toEqual(expect.arrayContaining(["proxmoxApiToken"]));
    expect(s.text).not.toMatch(/\bsecure:/);
  });
});

describe("scaffold", () => {
  it("sizes the host from --host-cores and --host-memory-gb and rejects a profile that does not fit", () => {
    const profile = loadProfile(ROOT, "moodle-school");
    const s = scaffoldStack({
      name: "big",
      profile,
      subnet: "10.1.0.0/24",
      hostCores: 64,
      hostMemoryGb: 256,
    });
    expect(
      (s.values.proxmox as { nodes: { cpuThreads: number; memoryGb: number }[] }).nodes[0],
    ).toMatchObject({
      cpuThreads: 64,
      memoryGb: 256,
    });
    // A smaller host gets the profile scaled down within each tier's minimums (it used to be refused).
    const small = scaffoldStack({
      name: "small",
      profile,
      subnet: "10.1.0.0/24",
      hostCores: 8,
      hostMemoryGb: 16,
    });
    expect(small.fitted.length).toBeGreaterThan(0);
    expect(() => validateSiteConfig("small", small.values)).not.toThrow();
    // One that cannot hold the required tiers even at their minimums is refused, every tier named.
    let error: unknown;
    try {
      scaffoldStack({ name: "tiny", profile, subnet: "10.1.0.0/24", hostCores: 4, hostMemoryGb: 10 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HostTooSmallError);
    expect((error as Error).message).toMatch(/moodle: needs at least 5 vCPU/);
  });

  it("refuses a subnet too small for the profile's guests", () => {
    expect(() =>
      scaffoldStack({ name: "tiny", profile: loadProfile(ROOT, "company-site"), subnet: "10.1.0.0/29" }),
    ).toThrow(/no free address/);
  });
});

describe("npm run new-client", () => {
  const cli = (args: string[]) =>
    spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "scripts", "new-client.ts"), ...args], {
      encoding: "utf8",
    });

  it("writes the stack file, prints the next steps, and refuses to overwrite it", () => {
    const dir = mkdtempSync(join(scratch, "cli-"));
    const first = cli(["acme", "--profile", "minimal", "--subnet", "10.30.0.0/24", "--dir", dir]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/pulumi preview --diff -s acme/);
    const text = readFileSync(join(dir, "Pulumi.acme.yaml"), "utf8");
    const again = cli(["acme", "--profile", "company-site", "--dir", dir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists: refusing to overwrite/);
    expect(readFileSync(join(dir, "Pulumi.acme.yaml"), "utf8")).toBe(text);
    const bad = cli(["other", "--profile", "minimal", "--subnet", "10.30.0.7/24", "--dir", dir]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/host bits set/);
    expect(existsSync(join(dir, "Pulumi.other.yaml"))).toBe(false);
  }, 60_000);
});
