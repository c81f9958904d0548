/**
 * The tier that owns a guest installs everything on it: every step that runs in a guest (a
 * GuestProvisioner) is registered under the component of the tier whose guest it is (the tier the
 * wiring gives the guest, whose component created the guest), never under another tier's, and a step
 * moved there keeps its former URN as an alias (the engine updates it, no replace).
 */
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring } from "../../config/wiring";
import { runUnderMocks, type MockRun, type RecordedResource } from "../../scripts/lib/mock-run";
import { resolve } from "node:path";

const root = resolve(__dirname, "../..");
const SITE = "proxmox-sites:site:Site";
const STEP = "proxmox-sites:proxmox:GuestProvisioner";
const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
const COMMAND = "command:remote:Command";

/** The component directly under the Site that `r` was registered beneath (its tier's component). */
function tierComponentOf(run: MockRun, r: RecordedResource): string | undefined {
  const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
  let at: RecordedResource | undefined = r;
  while (at?.parent) {
    const parent = byUrn.get(at.parent);
    if (parent?.type === SITE) return at.urn;
    at = parent;
  }
  return undefined;
}

describe.each(["prod", "staging", "school"])("who installs on the guests of %s", (stack) => {
  let run: MockRun;
  const { config } = validateSiteConfig(stack, readStackFile(root, stack).values);
  const wiring = siteWiring(config);
  beforeAll(async () => {
    run = await runUnderMocks(stack);
  });

  /** Each LXC guest's tier component: the one that created its container. */
  function ownerOfGuests(): Map<number, string> {
    const owners = new Map<number, string>();
    for (const c of run.resources.filter((r) => r.type === CONTAINER))
      owners.set(Number(c.inputs.vmId), tierComponentOf(run, c)!);
    return owners;
  }

  it("creates each tier's guests under one component of that tier, holding no other tier's guests", () => {
    const owners = ownerOfGuests();
    const tierOf = new Map<string, string>();
    for (const g of wiring.guests.filter((x) => x.kind === "lxc")) {
      const owner = owners.get(g.vmid);
      expect([g.key, owner]).toEqual([g.key, expect.stringContaining("::")]);
      expect([g.key, tierOf.get(owner!) ?? g.tier]).toEqual([g.key, g.tier]);
      tierOf.set(owner!, g.tier);
    }
  });

  it("runs every step in a guest from the component of the tier that owns that guest", () => {
    const owners = ownerOfGuests();
    const steps = run.resources.filter((r) => r.type === STEP);
    expect(steps.length).toBeGreaterThan(5);
    const strays: string[] = [];
    for (const step of steps) {
      const command = run.resources.find((r) => r.type === COMMAND && r.parent === step.urn)!;
      const vmid = Number(/^pct exec (\d+) /.exec(String(command.inputs.create))?.[1]);
      const guest = wiring.guests.find((g) => g.vmid === vmid)!;
      const owner = owners.get(vmid);
      if (tierComponentOf(run, step) !== owner)
        strays.push(`${step.name} on ${guest.key} (tier ${guest.tier}) under ${tierComponentOf(run, step)}`);
    }
    expect(strays).toEqual([]);
  });

  it("keeps the URN each step moved from monitoring or the tunnel had there, as an alias", () => {
    const moved = run.resources.filter(
      (r) => r.type === STEP && /-(mysqld-exporter|redis-exporter|cloudflared)$/.test(r.name),
    );
    expect(moved.length).toBe(stack === "school" ? 5 : 4);
    for (const step of moved) {
      // Under the Site: the component the step ran under before, then the step itself.
      const formerParent = step.name.endsWith("-cloudflared")
        ? "proxmox-sites:network:CloudflareTunnel"
        : "proxmox-sites:ops:Monitoring";
      const before = `urn:pulumi:${stack}::proxmox-sites::${SITE}$${formerParent}$${STEP}::${step.name}`;
      expect(step.aliases).toEqual([before]);
      const command = run.resources.find((r) => r.type === COMMAND && r.parent === step.urn)!;
      expect(command.aliases).toEqual([
        `urn:pulumi:${stack}::proxmox-sites::${SITE}$${formerParent}$${STEP}$${COMMAND}::${step.name}`,
      ]);
    }
  });
});
