/**
 * `new-client` fits a profile to the host it is given: the portal client of docs/onboarding.md
 * (three PHP app nodes behind two HAProxy balancers, database pair, Redis, tunnel) on an 8-core /
 * 32 GiB host, from one command to a plan; and a host too small gets every shortfall and no file.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { guestInventory } from "../../config/inventory";
import { parseStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { buildPlan } from "../../scripts/lib/plan-build";
import { runUnderMocks } from "../../scripts/lib/mock-run";
import { fitToHost, HostTooSmallError, minimumOf } from "../../scripts/lib/fit";
import { loadProfile } from "../../scripts/lib/scaffold";
import { readFileSync } from "node:fs";

const ROOT = resolve(__dirname, "../..");
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "new-client-fit-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function newClient(...args: string[]) {
  return spawnSync(
    join(ROOT, "node_modules", ".bin", "tsx"),
    [join(ROOT, "scripts", "new-client.ts"), ...args],
    {
      encoding: "utf8",
      timeout: 60000,
    },
  );
}

test("npm run new-client -- portal --profile web-cluster --host-cores 8 --host-memory-gb 32, then the plan", async () => {
  const result = newClient(
    "portal",
    "--profile",
    "web-cluster",
    "--host-cores",
    "8",
    "--host-memory-gb",
    "32",
    "--dir",
    scratch,
  );
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  expect(result.stdout).toContain("Fitted to the host");
  const file = parseStackFile("portal", readFileSync(join(scratch, "Pulumi.portal.yaml"), "utf8"));
  const site = validateSiteConfig("portal", file.values).config;
  const guests = guestInventory(site);
  const apps = guests.filter((g) => g.key.startsWith("portal-app"));
  expect(apps.map((g) => g.key)).toEqual(["portal-app1", "portal-app2", "portal-app3"]);
  // The balancer's nodes stay alike.
  expect(new Set(apps.map((g) => `${g.cores}/${g.memoryMb}`)).size).toBe(1);
  for (const g of guests) {
    const min = minimumOf(g.configPath);
    expect(g.cores).toBeGreaterThanOrEqual(min.cores);
    expect(g.memoryMb).toBeGreaterThanOrEqual(min.memoryMb);
  }
  const { plan } = await buildPlan("portal", scratch);
  expect(plan.capacity.every((c) => c.vcpus.status !== "error" && c.memoryMb.status !== "error")).toBe(true);
  const containers = plan.resources.filter(
    (r) => r.type === "proxmoxve:index/containerLegacy:ContainerLegacy",
  );
  expect(containers.map((c) => c.name).sort()).toEqual(
    expect.arrayContaining([
      "portal-lb1",
      "portal-lb2",
      "portal-app1",
      "portal-app2",
      "portal-app3",
      "database-primary",
      "database-replica",
      "redis",
    ]),
  );
  expect(plan.published.map((p) => p.hostname)).toContain("portal.portal.example");
  // The generic tier's component, the shared files bind-mounted into every app node, traffic in the plan.
  expect(plan.resources.filter((r) => r.type === "proxmox-sites:web:WebCluster").map((r) => r.name)).toEqual([
    "web-portal",
  ]);
  for (const app of containers.filter((c) => c.name.startsWith("portal-app")))
    expect(JSON.stringify(app.inputs.mountPoints)).toContain("/mnt/pve/portal-shared/files");
  expect(plan.traffic?.[0]).toMatchObject({ cluster: "portal", nodes: 3, nodesForThroughput: 1 });
  // No generated secret (database, Redis, stats, keepalived passwords) in an unmarked input or output.
  const run = await runUnderMocks("portal", scratch);
  const shown = JSON.stringify(run.resources.map((r) => r.inputs)) + JSON.stringify(run.outputs);
  expect([...run.generatedSecrets].filter((secret) => shown.includes(secret))).toEqual([]);
  expect(run.generatedSecrets.size).toBeGreaterThan(5);
}, 180000);

test("a host too small for the required tiers: every tier's minimum and the shortfall, and no file", () => {
  const result = newClient(
    "tiny",
    "--profile",
    "web-cluster",
    "--host-cores",
    "2",
    "--host-memory-gb",
    "16",
    "--dir",
    scratch,
  );
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("nothing written");
  // Monitoring (optional) was left out first; the required tiers alone are still 4 vCPU short.
  expect(result.stderr).toContain("short by 4 vCPU");
  expect(result.stderr).toContain("monitoring: left out");
  expect(result.stderr).toContain("webClusters: needs at least 5 vCPU and 2048 MB");
  expect(existsSync(join(scratch, "Pulumi.tiny.yaml"))).toBe(false);
});

test("an optional tier that does not fit is left out, named with what it needs", () => {
  const profile = loadProfile(ROOT, "web-cluster");
  // Required tiers need 8 vCPU at their minimums; monitoring one more.
  const fit = fitToHost(profile.config, { vcpus: 8, memoryMb: 20000 }, profile.optionalTiers);
  expect(fit.config.monitoring).toBeUndefined();
  expect(fit.notes[0]).toMatch(
    /^monitoring: left out, it does not fit: at its minimum it needs 1 vCPU and 1024 MB, and the host is short by 1 vCPU/,
  );
  expect(() => fitToHost(profile.config, { vcpus: 8, memoryMb: 20000 })).toThrow(HostTooSmallError);
});

test("a host big enough changes nothing", () => {
  const profile = loadProfile(ROOT, "web-cluster");
  const fit = fitToHost(profile.config, { vcpus: 64, memoryMb: 65536 }, profile.optionalTiers);
  expect(fit.notes).toEqual([]);
  expect(fit.config).toEqual(profile.config);
});
