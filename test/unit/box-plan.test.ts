import { resolve } from "node:path";
import { readStackFile } from "../../config/stack-file";
import { clientAddress, nodeStorageOf } from "../../box/lib/box";
import { collectPlan, type BoxPlan } from "../../box/lib/collect";
import { runDag, type DagStep } from "../../box/lib/dag";
import { hostPathOfNodePath, sharedStorageDirs } from "../../box/lib/shared-storage";

const root = resolve(__dirname, "../..");
const nodes = [
  { name: "pve-school", address: "10.10.0.2" },
  { name: "pve-school2", address: "10.10.0.3" },
];

describe("what the box runs for school", () => {
  let plan: BoxPlan;
  let again: BoxPlan;
  beforeAll(async () => {
    plan = await collectPlan(readStackFile(root, "school"), root, "test-seed");
    again = await collectPlan(readStackFile(root, "school"), root, "test-seed");
  }, 60_000);

  it("has every LXC guest with its registered address, node and mount points", () => {
    const app1 = plan.guests.find((g) => g.hostname === "moodle-app1")!;
    expect(app1).toMatchObject({ vmid: 210, ip: "10.10.0.31", prefixLength: 24, node: "pve-school2" });
    // The files are served by the node pve-school2: no files guest.
    expect(plan.guests.some((g) => g.hostname === "moodle-files")).toBe(false);
  });

  it("runs every command after everything it waits for, guests included", () => {
    const seen = new Set<string>(plan.guests.map((g) => g.urn));
    for (const c of plan.commands) {
      for (const a of c.after) expect(seen.has(a) || plan.guests.some((g) => g.urn === a)).toBe(true);
      seen.add(c.urn);
    }
    const install = plan.commands.find((c) => c.name === "moodle-app1-install")!;
    const names = install.after.map((u) => u.split("::").pop());
    expect(names).toEqual(expect.arrayContaining(["moodle-app1-mount", "database-primary-databases"]));
    // A command waits for its own guest's creation through the registered dependencies.
    expect(
      plan.commands.find((c) => c.name === "moodle-app1-app")!.after.map((u) => u.split("::").pop()),
    ).toContain("moodle-app1");
  });

  it("backs the files node's directory and every node's /mnt/pve/<id> with one host directory", () => {
    expect(plan.nfsStorages).toEqual([
      {
        id: "moodle-shared",
        server: "10.10.0.3",
        exportPath: "/srv/moodledata",
        nodes: ["pve-school", "pve-school2", "pve-school3", "pve-school4"],
      },
    ]);
    const [dir] = sharedStorageDirs(plan.nfsStorages, nodes, "/run/box");
    expect(dir).toMatchObject({
      node: "pve-school2",
      exportDir: "/run/box/node-files/pve-school2/srv/moodledata",
    });
    // The app nodes' bind mount of the node path lands in that directory, not in a node's own root.
    const app1 = plan.guests.find((g) => g.hostname === "moodle-app1")!;
    const bind = app1.mountPoints.find((m) => m.volume.startsWith("/mnt/pve/"))!;
    expect(hostPathOfNodePath(bind.volume, "/run/box/guests/node-pve-school2/root", [dir])).toBe(
      "/run/box/node-files/pve-school2/srv/moodledata/moodledata",
    );
    expect(app1.unprivileged).toBe(true);
  });

  it("leaves a storage served from outside the box (a NAS) to each node's own directory", () => {
    const storage = { id: "nas", server: "10.10.0.250", exportPath: "/volume1", nodes: [] };
    expect(sharedStorageDirs([storage], nodes, "/r")).toEqual([]);
    expect(hostPathOfNodePath("/mnt/pve/nas/x", "/node", [])).toBe("/node/mnt/pve/nas/x");
  });

  it("gives the same generated secrets on every run, so a second run of a script changes nothing", () => {
    const stdin = new Map(again.commands.map((c) => [c.name, c.stdin]));
    for (const c of plan.commands) expect(stdin.get(c.name)).toBe(c.stdin);
  });
});

describe("box dependency runner", () => {
  const step = (name: string, after: string[], log: string[], fail = false): DagStep => ({
    urn: name,
    name,
    after,
    run: async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${name}`);
      if (fail) throw new Error(`${name} broke`);
    },
  });

  it("skips what waits for a failed step and still runs the rest, each after its dependencies", async () => {
    const log: string[] = [];
    const results = await runDag(
      [step("a", [], log), step("b", ["a"], log, true), step("c", ["b"], log), step("d", ["a"], log)],
      2,
      () => undefined,
    );
    const status = Object.fromEntries(results.map((r) => [r.name, r.status]));
    expect(status).toEqual({ a: "ok", b: "failed", c: "skipped", d: "ok" });
    expect(log.indexOf("end a")).toBeLessThan(log.indexOf("start b"));
    expect(log).not.toContain("start c");
  });

  it("never runs more steps at once than allowed", async () => {
    let running = 0;
    let most = 0;
    const steps: DagStep[] = Array.from({ length: 6 }, (_, i) => ({
      urn: `s${i}`,
      name: `s${i}`,
      after: [],
      run: async () => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
      },
    }));
    await runDag(steps, 2, () => undefined);
    expect(most).toBe(2);
  });
});

describe("box addresses", () => {
  it("puts the operator's client on the first free admin address inside the site network", () => {
    expect(clientAddress(["10.10.0.200/29"], "10.10.0.0/24", new Set(["10.10.0.201"]))).toBe("10.10.0.202");
  });

  it("reads the storage of a node-side bind mount path", () => {
    expect(nodeStorageOf("/mnt/pve/moodle-share/moodledata")).toBe("moodle-share");
    expect(nodeStorageOf("local-lvm")).toBeUndefined();
  });
});
