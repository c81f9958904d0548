import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { SECRET_MARK } from "../../scripts/lib/mock-run";
import type { PlanResource } from "../../scripts/lib/plan-build";
import { handPlan as plan } from "./fixtures/hand-plan";
import { diffInputs, diffPlans, lineDelta } from "../../scripts/lib/plan-diff";
import { renderDiffMarkdown } from "../../scripts/lib/plan-diff-markdown";
import { replaceReason } from "../../scripts/lib/replace-rules";

const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const COMMAND = "command:remote:Command";

const resource = (name: string, type: string, inputs: Record<string, unknown>): PlanResource => ({
  urn: `urn:pulumi:t::proxmox-sites::${type}::${name}`,
  type,
  name,
  parent: null,
  custom: true,
  protect: false,
  inputs,
});

describe("diffInputs", () => {
  it("never counts a secret as a change by itself, but says when an input becomes secret", () => {
    const secret = { stdin: SECRET_MARK, triggers: ["abc", SECRET_MARK] };
    expect(diffInputs(COMMAND, secret, { ...secret })).toEqual([]);
    expect(diffInputs(COMMAND, { stdin: randomBytes(8).toString("hex") }, { stdin: SECRET_MARK })).toEqual([
      expect.objectContaining({ path: "stdin", after: SECRET_MARK }),
    ]);
  });

  it("flags the container inputs that force replacement, and a shrinking disk", () => {
    const before = { vmId: 100, disk: { size: 32, datastoreId: "local-lvm" }, cpu: { cores: 2 } };
    const grow = diffInputs(CONTAINER, before, { ...before, disk: { size: 40, datastoreId: "local-lvm" } });
    expect(grow).toEqual([{ path: "disk.size", before: "32", after: "40", replaces: undefined }]);
    const shrink = diffInputs(CONTAINER, before, { ...before, disk: { size: 16, datastoreId: "local-lvm" } });
    expect(shrink[0].replaces).toMatch(/shrinks/);
    const moved = diffInputs(CONTAINER, before, { ...before, disk: { size: 32, datastoreId: "local-zfs" } });
    expect(moved[0].replaces).toBe("disk.datastoreId changed");
    expect(diffInputs(CONTAINER, before, { ...before, vmId: 101 })[0].replaces).toBe("vmId changed");
    expect(diffInputs(CONTAINER, before, { ...before, cpu: { cores: 4 } })[0].replaces).toBeUndefined();
  });

  it("treats any change under mountPoints as a replacement, and a VM's TPM version", () => {
    const mp = { mountPoints: [{ volume: "local-lvm", size: "500G", path: "/srv" }] };
    const bigger = { mountPoints: [{ volume: "local-lvm", size: "600G", path: "/srv" }] };
    expect(diffInputs(CONTAINER, mp, bigger)[0].replaces).toBe("mountPoints changed (mountPoints.0.size)");
    expect(diffInputs(CONTAINER, mp, { mountPoints: [] })[0].replaces).toBe("mountPoints changed");
    expect(replaceReason(VM, "tpmState.version", "v1.2", "v2.0")).toBe("tpmState.version changed");
    expect(replaceReason(VM, "memory.dedicated", 8192, 16384)).toBeUndefined();
  });

  it("names the items added to a list instead of every shifted index", () => {
    const rule = (comment: string) => ({ action: "ACCEPT", comment });
    const changes = diffInputs(
      "proxmoxve:firewall/rulesLegacy:RulesLegacy",
      { rules: [rule("a"), rule("c")] },
      { rules: [rule("a"), rule("b"), rule("c")] },
    );
    expect(changes).toEqual([
      { path: "rules", before: "2 items", after: '3 items (+"b")', replaces: undefined },
    ]);
  });

  it("summarises a changed script by lines added and removed", () => {
    const [c] = diffInputs(COMMAND, { stdin: "a\nb\nc" }, { stdin: "a\nB\nc\nd" });
    expect(c).toEqual({
      path: "stdin",
      before: "(text, 3 lines)",
      after: "(text, 4 lines, +2 −1)",
      replaces: undefined,
    });
    expect(lineDelta("x\ny", "y\nx")).toEqual({ added: 0, removed: 0 });
  });
});

describe("diffPlans", () => {
  it("sorts a command whose triggers changed into re-runs, not replacements", () => {
    const a = plan([resource("cmd", COMMAND, { triggers: ["h1"] }), resource("ct", CONTAINER, { vmId: 1 })]);
    const b = plan([resource("cmd", COMMAND, { triggers: ["h2"] }), resource("ct", CONTAINER, { vmId: 2 })]);
    const d = diffPlans("t", a, b);
    expect(d.rerun.map((r) => r.name)).toEqual(["cmd"]);
    expect(d.replaced.map((r) => r.name)).toEqual(["ct"]);
    expect(d.status).toBe("changed");
  });

  it("reports a resource that kept its name and type under a new parent as moved, not removed and added", () => {
    const vm = resource("windows-gpu", VM, { vmId: 900 });
    const moved = {
      ...vm,
      urn: `urn:pulumi:t::proxmox-sites::proxmox-sites:proxmox:VmGuest$${VM}::windows-gpu`,
    };
    const d = diffPlans("t", plan([{ ...vm, protect: true }]), plan([moved]));
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.moved).toEqual([
      { from: vm.urn, to: expect.objectContaining({ urn: moved.urn, protect: true }) },
    ]);
    expect(renderDiffMarkdown([{ stack: "t", diff: d }], "base")).toMatch(
      /Moved: URN changed[\s\S]*⚠ protected/,
    );
  });

  const inputs = fc.dictionary(
    fc.constantFrom("vmId", "nodeName", "cpu", "tags", "stdin"),
    fc.oneof(fc.integer(), fc.string(), fc.constant(SECRET_MARK), fc.array(fc.integer(), { maxLength: 3 })),
  );
  const plans = fc
    .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), inputs), { selector: ([n]) => n, maxLength: 8 })
    .map((list) => plan(list.map(([n, i]) => resource(n, CONTAINER, i))));

  it("finds no change between a plan and itself", () => {
    fc.assert(fc.property(plans, (p) => diffPlans("t", p, structuredClone(p)).status === "unchanged"));
  });

  it("is symmetric: what one direction adds the other removes, and the same resources change", () => {
    fc.assert(
      fc.property(plans, plans, (a, b) => {
        const ab = diffPlans("t", a, b);
        const ba = diffPlans("t", b, a);
        const urns = (l: { urn: string }[]) => l.map((r) => r.urn).sort();
        expect(urns(ab.added)).toEqual(urns(ba.removed));
        expect(urns(ab.removed)).toEqual(urns(ba.added));
        expect(urns([...ab.changed, ...ab.replaced])).toEqual(urns([...ba.changed, ...ba.replaced]));
      }),
    );
  });
});
