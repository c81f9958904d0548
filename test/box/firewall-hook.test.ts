/**
 * The box's firewall hook (box/lib/firewall.ts) on real namespaces: it loads the registered ruleset
 * of a node and of a guest from the box's own plan (no second run of the program), refuses a guest
 * no firewall was registered for, and opens the vendor mirror's port on the mirror's node only.
 */
import { resolve } from "node:path";
import { collectPlan, type BoxPlan } from "../../box/lib/collect";
import { listTable, registeredFirewall } from "../../box/lib/firewall";
import type { BootedGuest } from "../../box/lib/guest";
import type { BootedNode } from "../../box/lib/node";
import { readStackFile } from "../../config/stack-file";
import { NetnsLab } from "./support/netns-lab";

const root = resolve(__dirname, "../..");
const canRun = process.getuid?.() === 0;
if (!canRun) console.log("firewall hook tests skipped: not root");

const MIRROR = { address: "10.10.0.2", port: 443, why: "vendor mirror (stands in for the internet)" };

(canRun ? describe : describe.skip)("the box's firewall hook", () => {
  let lab: NetnsLab | undefined;
  let plan: BoxPlan;
  const pids = new Map<string, number>();

  const nodeIn = (ns: string, name: string, address: string) =>
    ({ spec: { name, address }, guest: { pid: pids.get(ns)! } }) as unknown as BootedNode;
  const guestIn = (ns: string) => ({ pid: pids.get(ns)! }) as unknown as BootedGuest;

  beforeAll(async () => {
    plan = await collectPlan(readStackFile(root, "school"), root, "firewall-hook-test");
    lab = new NetnsLab(`fwh${process.pid}`);
    for (const [name, cidr] of [
      ["node", "10.10.0.2/24"],
      ["node2", "10.10.0.3/24"],
      ["lb1", "10.10.0.21/24"],
    ]) {
      const ns = lab.addMember(name, cidr);
      pids.set(ns, lab.start(ns, "sleep", ["300"]).process.pid!);
    }
    await lab.listen(`fwh${process.pid}-node`, [443, 9999]);
    await lab.listen(`fwh${process.pid}-node2`, [443]);
  }, 120000);

  afterAll(async () => {
    await lab?.destroy();
  }, 60000);

  const ns = (name: string) => `fwh${process.pid}-${name}`;

  it("loads the node's and the guest's registered rulesets and remembers what it loaded", async () => {
    const hook = registeredFirewall([MIRROR]);
    await hook.node(plan, nodeIn(ns("node"), "pve-school", "10.10.0.2"));
    await hook.node(plan, nodeIn(ns("node2"), "pve-school2", "10.10.0.3"));
    await hook.guest(plan, 200, guestIn(ns("lb1")));
    expect([...hook.loaded.keys()]).toEqual(["node pve-school", "node pve-school2", "guest moodle-lb1"]);
    const lb1 = await listTable(pids.get(ns("lb1"))!);
    // keepalived VRRP adverts from moodle-lb2, as registered
    expect(lb1).toMatch(/ip saddr 10\.10\.0\.22 meta l4proto (112|vrrp) accept/);
    expect(hook.loaded.get("guest moodle-lb1")!.listing).toBe(lb1);
    expect(await listTable(pids.get(ns("node"))!)).toContain('comment "box: vendor mirror');
    expect(await listTable(pids.get(ns("node2"))!)).not.toContain("box: vendor mirror");
  });

  it("lets a guest reach the mirror's port on the mirror's node, and nothing else the node does not open", () => {
    expect(
      lab!.probe(ns("lb1"), [
        ["10.10.0.2", 443],
        ["10.10.0.2", 9999],
        ["10.10.0.3", 443],
      ]),
    ).toEqual(["open", "timeout", "timeout"]);
  });

  it("without the exemption the node's registered firewall drops the mirror's port", async () => {
    await registeredFirewall([]).node(plan, nodeIn(ns("node"), "pve-school", "10.10.0.2"));
    expect(lab!.probe(ns("lb1"), [["10.10.0.2", 443]])).toEqual(["timeout"]);
  });

  it("refuses a guest the program registered no firewall for", async () => {
    await expect(registeredFirewall([]).guest(plan, 999, guestIn(ns("lb1")))).rejects.toThrow(
      /guest 999: no firewall registered/,
    );
  });
});
