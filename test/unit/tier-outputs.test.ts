/**
 * Each tier's component registers its public fields as its outputs (issue #15, point 6): under mocks,
 * every tier component of prod, school and a web-cluster client calls `registerOutputs` with exactly its
 * public fields — its guests, steps, endpoints, passwords, ready lists — each the very value the field
 * holds, instead of `{}`.
 */
import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { GuestTier } from "../../components/core/guest-tier";
import { CloudflareTunnel } from "../../components/tunnel";
import { WindowsGpuVm } from "../../components/windows";
import { runUnderMocks } from "../../scripts/lib/mock-run";
import { loadProfile, scaffoldStack } from "../../scripts/lib/scaffold";

const ROOT = resolve(__dirname, "../..");

/** Own properties that are Pulumi's, not the tier's (the base classes keep their internals #private). */
const notPublic = (key: string) => key === "urn" || key.startsWith("__");

type Registered = { component: pulumi.ComponentResource; outputs: Record<string, unknown> };

/**
 * What each tier component of one mock run of a stack registered: its first `registerOutputs` call, the
 * one that counts (Pulumi ignores later calls, such as the empty one the SDK makes once the component's
 * `initialize` resolves).
 */
async function registeredOutputs(stack: string, dir = ROOT): Promise<Registered[]> {
  const spy = jest.spyOn(pulumi.ComponentResource.prototype, "registerOutputs" as never);
  try {
    await runUnderMocks(stack, dir);
    const first = new Map<pulumi.ComponentResource, Record<string, unknown>>();
    spy.mock.calls.forEach((args, i) => {
      const component = spy.mock.contexts[i] as pulumi.ComponentResource;
      if (!first.has(component)) first.set(component, (args[0] ?? {}) as Record<string, unknown>);
    });
    return [...first]
      .filter(([component]) =>
        [GuestTier, CloudflareTunnel, WindowsGpuVm].some((c) => component instanceof c),
      )
      .map(([component, outputs]) => ({ component, outputs }));
  } finally {
    spy.mockRestore();
  }
}

/** The defined public fields of a component, by name. */
function publicFields(component: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(component).filter(([key, value]) => !notPublic(key) && value !== undefined),
  );
}

const defined = (o: Record<string, unknown>) => Object.entries(o).filter(([, v]) => v !== undefined);
const typeOf = (c: pulumi.ComponentResource) => (c as unknown as { __pulumiType: string }).__pulumiType;

let scratch: string;
const runs: Record<string, Registered[]> = {};
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "tier-outputs-"));
  const portal = scaffoldStack({
    name: "portal",
    profile: loadProfile(ROOT, "web-cluster"),
    subnet: "10.30.0.0/24",
  });
  writeFileSync(join(scratch, "Pulumi.portal.yaml"), portal.text);
  runs.prod = await registeredOutputs("prod");
  runs.school = await registeredOutputs("school");
  runs.portal = await registeredOutputs("portal", scratch);
}, 240000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("tier components register their public fields as outputs", () => {
  it("covers every kind of tier component (a run that records nothing would pass anything)", () => {
    const types = new Set(Object.values(runs).flatMap((r) => r.map((x) => typeOf(x.component))));
    expect([...types].sort()).toEqual(
      [
        "proxmox-sites:apps:Frappe",
        "proxmox-sites:apps:Nextcloud",
        "proxmox-sites:apps:Passbolt",
        "proxmox-sites:apps:PrintServer",
        "proxmox-sites:apps:SnipeIt",
        "proxmox-sites:apps:WebApps",
        "proxmox-sites:data:MariaDbCluster",
        "proxmox-sites:data:RedisCache",
        "proxmox-sites:moodle:MoodleCluster",
        "proxmox-sites:network:CloudflareTunnel",
        "proxmox-sites:network:NetworkServices",
        "proxmox-sites:ops:Monitoring",
        "proxmox-sites:web:WebCluster",
        "proxmox-sites:compute:WindowsGpuVm",
      ].sort(),
    );
  });

  it.each(["prod", "school", "portal"])(
    "%s: each registers exactly its public fields, as they are",
    (stack) => {
      for (const { component, outputs } of runs[stack]) {
        const fields = publicFields(component);
        const where = `${stack} ${typeOf(component)}`;
        expect([
          where,
          defined(outputs)
            .map(([k]) => k)
            .sort(),
        ]).toEqual([where, Object.keys(fields).sort()]);
        // The field's own value (identity: resources hold their parents, a deep comparison would walk the site).
        for (const [key, value] of Object.entries(fields))
          expect([where, key, outputs[key] === value]).toEqual([where, key, true]);
      }
    },
  );

  it("the guests, endpoints, passwords and ready lists are among them", () => {
    const of = (stack: string, type: string) =>
      runs[stack].find((r) => typeOf(r.component) === type)!.outputs;
    const database = of("prod", "proxmox-sites:data:MariaDbCluster");
    expect(Object.keys(database.guests as object).sort()).toEqual(["database-primary", "database-replica"]);
    expect(database.endpoint).toMatchObject({ port: 3306 });
    expect(pulumi.Output.isInstance(database.monitorPassword)).toBe(true);
    expect((database.applicationsReady as unknown[]).length).toBeGreaterThan(0);
    const moodle = of("school", "proxmox-sites:moodle:MoodleCluster");
    expect(moodle).toMatchObject({ wwwroot: "https://lms.school.example" });
    expect(pulumi.Output.isInstance(moodle.statsPassword)).toBe(true);
    expect(Object.keys(of("portal", "proxmox-sites:web:WebCluster").guests as object).sort()).toEqual([
      "portal-app1",
      "portal-app2",
      "portal-app3",
      "portal-lb1",
      "portal-lb2",
    ]);
  });
});
