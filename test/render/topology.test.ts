import fc from "fast-check";
import { resolve } from "node:path";
import { guestInventory } from "../../config/inventory";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { buildTopology } from "../../components/topology/build";
import { renderTopologyDot } from "../../components/topology/dot";
import type { TopologyModel } from "../../components/topology/model";
import { renderSvg } from "../../scripts/lib/topology-svg";

const ROOT = resolve(__dirname, "../..");
const raw = (stack: string) => structuredClone(readStackFile(ROOT, stack).values) as Record<string, unknown>;
const site = (stack: string, values = raw(stack)) => validateSiteConfig(stack, values).config;

/**
 * The school's guests on its first node alone: identical guests share a box only on one host, and the
 * school stack spreads its app nodes over four nodes.
 */
function schoolOnOneNode(): Record<string, unknown> {
  const values = raw("school") as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  values.proxmox.nodes = values.proxmox.nodes.slice(0, 1);
  values.proxmox.nodes[0].cpuThreads = 48;
  values.proxmox.nodes[0].memoryGb = 128;
  const m = values.moodle;
  for (const g of [values.database.replica, ...Object.values(m.loadBalancers), ...Object.values(m.nodes)])
    delete (g as { node?: string }).node;
  m.sharedFiles.node = "pve-school";
  return values;
}

const groups = (m: TopologyModel) => m.hosts.flatMap((h) => h.tiers.flatMap((t) => t.groups));
const groupOf = (m: TopologyModel, key: string) =>
  groups(m).find((g) => g.members.some((x) => x.key === key))!;

describe("topology model", () => {
  it("draws each of the school's four nodes with the guests placed on it", () => {
    const model = buildTopology(site("school"));
    const onHost = (name: string) =>
      model.hosts
        .find((h) => h.name === name)!
        .tiers.flatMap((t) => t.groups.flatMap((g) => g.members.map((x) => x.key)))
        .sort();
    expect(onHost("pve-school4")).toEqual(["moodle-app3"]);
    // pve-school2 serves moodledata itself: no files guest on it.
    expect(onHost("pve-school2")).toEqual(["moodle-app1", "moodle-lb2"]);
  });

  it.each(["prod", "staging", "school"])(
    "places every guest of %s in exactly one box, with its VMID and IP",
    (stack) => {
      const s = site(stack);
      const model = buildTopology(s);
      const members = groups(model).flatMap((g) => g.members);
      const guests = guestInventory(s);
      expect(members.map((m) => m.key).sort()).toEqual(guests.map((g) => g.key).sort());
      for (const g of guests)
        expect(members.find((m) => m.key === g.key)).toMatchObject({ vmid: g.vmid, ip: g.ip });
      // The admin network's per-guest SSH is one line of the note, not an arrow per guest.
      expect(model.links.filter((l) => l.ports === "22")).toEqual([]);
      expect(model.admin.lines).toContain("SSH 22 → every container");
      // Metrics: at most one entry per tier cluster and one per host.
      const targets = model.metrics.map((m) => `${m.to.host}|${m.to.tier ?? ""}`);
      expect(new Set(targets).size).toBe(targets.length);
    },
  );

  it("draws the school's app nodes on one host as one box and each shared flow as one arrow", () => {
    const model = buildTopology(site("school", schoolOnOneNode()));
    const apps = groupOf(model, "moodle-app1");
    const balancers = groupOf(model, "moodle-lb1");
    expect(apps.members.map((m) => m.key)).toEqual(["moodle-app1", "moodle-app2", "moodle-app3"]);
    expect(balancers.vip).toBe("10.10.0.20");
    const from = (id: string) => model.links.filter((l) => "group" in l.from && l.from.group === id);
    expect(from(balancers.id)).toEqual([
      {
        from: { group: balancers.id },
        to: { group: apps.id },
        ports: "80",
        purpose: "HAProxy to Moodle node",
      },
    ]);
    expect(from(apps.id).map((l) => [l.to, l.ports])).toEqual(
      expect.arrayContaining([
        [{ group: "database-primary" }, "3306"],
        [{ group: "redis" }, "6379"],
      ]),
    );
    // moodledata: the node mounts the NFS storage and bind-mounts it; the app nodes never reach NFS.
    expect(from(apps.id).filter((l) => "group" in l.to && l.to.group === "moodle-files")).toEqual([]);
    const lms = model.tunnel!.hostnames.find((h) => h.hostname === "lms.school.example")!;
    expect(lms.to).toEqual({ group: balancers.id, vip: true });
    expect(model.tunnel!.hostnames.find((h) => h.hostname === "pve.school.example")!.to).toEqual({
      host: "pve-school",
    });
  });

  it("keeps one box and one arrow per flow however many app nodes the cluster has", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), (count) => {
        const values = schoolOnOneNode();
        const moodle = values.moodle as { nodes: Record<string, unknown>; cronNode?: string };
        moodle.nodes = Object.fromEntries(
          Array.from({ length: count }, (_, i) => [
            `app${i + 1}`,
            {
              vmid: 210 + i,
              hostname: `moodle-app${i + 1}`,
              ip: `10.10.0.${100 + i}`,
              cores: 2,
              memoryMb: 2048,
            },
          ]),
        );
        moodle.cronNode = "app1";
        const model = buildTopology(site("school", values));
        const apps = groupOf(model, "moodle-app1");
        expect(apps.members).toHaveLength(count);
        const toApps = model.links.filter((l) => "group" in l.to && l.to.group === apps.id);
        expect(toApps).toHaveLength(1);
      }),
      { numRuns: 8 },
    );
  });
});

describe("topology drawing", () => {
  it.each(["prod", "school"])(
    "renders %s to an SVG naming every guest, its VMID and address",
    async (stack) => {
      const s = site(stack);
      // Graphviz writes hyphens as character references.
      const svg = (await renderSvg(renderTopologyDot(buildTopology(s)))).replace(
        /&#(\d+);/g,
        (_, n: string) => String.fromCharCode(Number(n)),
      );
      expect(svg).toMatch(/^<\?xml[\s\S]*<svg [\s\S]*<\/svg>\s*$/);
      for (const g of guestInventory(s)) {
        expect(svg).toContain(`>${g.hostname}`);
        expect(svg).toContain(`>${g.vmid}<`);
        expect(svg).toContain(`>${g.ip}<`);
      }
      for (const p of buildTopology(s).tunnel!.hostnames) expect(svg).toContain(`>${p.hostname}<`);
      expect(svg).toContain('font-family="Helvetica,Arial,');
    },
  );

  it("escapes client names and labels that are not plain text", async () => {
    const values = raw("school");
    (values.site as { client: string }).client = 'Sekolah <A & B> "Timur"';
    const dot = renderTopologyDot(buildTopology(site("school", values)));
    expect(dot).toContain("Sekolah &lt;A &amp; B&gt; &quot;Timur&quot;");
    const svg = await renderSvg(dot);
    expect(svg).toContain("Sekolah &lt;A &amp; B&gt; &quot;Timur&quot;");
  });

  it("fails loudly on DOT that Graphviz rejects", async () => {
    await expect(renderSvg("digraph { a -> }")).rejects.toThrow(/Graphviz failed/);
  });
});
