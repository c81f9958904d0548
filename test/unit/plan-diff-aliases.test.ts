/**
 * A resource moved under another parent with an alias is the same resource to the engine (an update
 * in place, or nothing), so the plan diff matches it to its old URN through its aliases instead of
 * reporting it added and removed, or moved.
 */
import { aliasUrns, urnOf, withoutStackType } from "../../scripts/lib/alias-urns";
import type { PlanResource } from "../../scripts/lib/plan-build";
import { handPlan as plan } from "./fixtures/hand-plan";
import { diffPlans } from "../../scripts/lib/plan-diff";

const STEP = "proxmox-sites:proxmox:GuestProvisioner";
const COMMAND = "command:remote:Command";
const SITE = "urn:pulumi:t::proxmox-sites::proxmox-sites:site:Site::site";
const MONITORING =
  "urn:pulumi:t::proxmox-sites::proxmox-sites:site:Site$proxmox-sites:ops:Monitoring::monitoring";
const DATABASE =
  "urn:pulumi:t::proxmox-sites::proxmox-sites:site:Site$proxmox-sites:data:MariaDbCluster::database";
const at = (parent: string, type: string, name: string) =>
  urnOf({ stack: "t", project: "proxmox-sites", type, name, parent });

/** The exporter step and its command under `parent`, with the given aliases and script. */
function exporter(parent: string, script: string, aliases?: [string[], string[]]): PlanResource[] {
  const step = at(parent, STEP, "redis-redis-exporter");
  return [
    {
      urn: step,
      type: STEP,
      name: "redis-redis-exporter",
      parent,
      custom: false,
      inputs: {},
      aliases: aliases?.[0],
    },
    {
      urn: at(step, COMMAND, "redis-redis-exporter"),
      type: COMMAND,
      name: "redis-redis-exporter",
      parent: step,
      custom: true,
      inputs: { create: "pct exec 400 -- bash -s", stdin: script },
      aliases: aliases?.[1],
    },
  ];
}

describe("alias URNs", () => {
  const self = {
    stack: "t",
    project: "proxmox-sites",
    type: STEP,
    name: "redis-redis-exporter",
    parent: DATABASE,
  };

  it("are the resource's own name and type under the alias's former parent", () => {
    expect(aliasUrns(self, [{ parent: MONITORING }], [])).toEqual([
      "urn:pulumi:t::proxmox-sites::proxmox-sites:site:Site$proxmox-sites:ops:Monitoring$proxmox-sites:proxmox:GuestProvisioner::redis-redis-exporter",
    ]);
  });

  it("take a spec's own name, type, no parent, or a whole URN", () => {
    expect(aliasUrns(self, [{ name: "old" }, { parent: null }, { urn: "urn:x" }], [])).toEqual([
      at(DATABASE, STEP, "old"),
      "urn:pulumi:t::proxmox-sites::proxmox-sites:proxmox:GuestProvisioner::redis-redis-exporter",
      "urn:x",
    ]);
  });

  it("follow the parent's aliases: a child of a moved component moves with it", () => {
    const parentNow = at(DATABASE, STEP, "redis-redis-exporter");
    const parentBefore = at(MONITORING, STEP, "redis-redis-exporter");
    const child = { ...self, type: COMMAND, parent: parentNow };
    expect(aliasUrns(child, [], [parentBefore])).toEqual([at(parentBefore, COMMAND, "redis-redis-exporter")]);
  });

  it("leave the root stack's type out of the chain, as the engine does", () => {
    const stackChild =
      "urn:pulumi:t::proxmox-sites::pulumi:pulumi:Stack$proxmox-sites:site:Site$proxmox-sites:ops:Monitoring::monitoring";
    expect(withoutStackType(stackChild)).toBe(MONITORING);
    expect(at("urn:pulumi:t::proxmox-sites::pulumi:pulumi:Stack::proxmox-sites-t", STEP, "x")).toBe(
      "urn:pulumi:t::proxmox-sites::proxmox-sites:proxmox:GuestProvisioner::x",
    );
    expect(aliasUrns(self, [{ parent: DATABASE }], [])).toEqual([]);
    expect(SITE).toBe(
      at("urn:pulumi:t::proxmox-sites::pulumi:pulumi:Stack::x", "proxmox-sites:site:Site", "site"),
    );
  });
});

describe("plan diff through aliases", () => {
  const before = plan(exporter(MONITORING, "v1"));
  const movedAliases = (): [string[], string[]] => {
    const step = at(MONITORING, STEP, "redis-redis-exporter");
    return [[step], [at(step, COMMAND, "redis-redis-exporter")]];
  };

  it("sees a resource moved with an alias to its old URN as no change", () => {
    const d = diffPlans("t", before, plan(exporter(DATABASE, "v1", movedAliases())));
    expect(d).toMatchObject({
      status: "unchanged",
      added: [],
      removed: [],
      moved: [],
      changed: [],
      rerun: [],
    });
  });

  it("compares the inputs of an aliased resource with its old ones", () => {
    const d = diffPlans("t", before, plan(exporter(DATABASE, "v2", movedAliases())));
    expect(d.status).toBe("changed");
    expect(d.changed.map((r) => [r.urn, r.changes.map((c) => c.path)])).toEqual([
      [at(at(DATABASE, STEP, "redis-redis-exporter"), COMMAND, "redis-redis-exporter"), ["stdin"]],
    ]);
    expect([d.added, d.removed, d.moved, d.rerun]).toEqual([[], [], [], []]);
  });

  it("still reports a move without an alias: the engine would re-create it", () => {
    const d = diffPlans("t", before, plan(exporter(DATABASE, "v1")));
    expect(d.status).toBe("changed");
    expect(d.moved.map((m) => m.to.name)).toEqual(["redis-redis-exporter", "redis-redis-exporter"]);
  });
});
