import { runUnderMocks, type MockRun, type RecordedResource } from "../../scripts/lib/mock-run";
import { DATA_SNAPSHOT_SCRIPT_PATH } from "../../components/proxmox/data-snapshots";

const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
const JOB = "proxmoxve:backup/job:Job";
const COMMAND = "command:remote:Command";

interface MountPoint {
  volume: string;
  path: string;
  backup: boolean;
}
const mountPoints = (c: RecordedResource) => c.inputs.mountPoints as MountPoint[];

describe.each([
  ["prod", false, ["pve-data-snapshots"]],
  ["staging", true, []],
])("backups of %s under mocks", (stack, dataInVzdump, snapshotSteps) => {
  let run: MockRun;
  beforeAll(async () => {
    run = await runUnderMocks(stack);
  }, 60000);

  it("registers exactly one vzdump job, its retention options together", () => {
    const jobs = run.resources.filter((r) => r.type === JOB);
    expect(jobs).toHaveLength(1);
    const keep = jobs[0].inputs.pruneBackups as Record<string, string>;
    expect(Object.keys(keep).sort()).toEqual(["keep-daily", "keep-weekly"]);
  });

  it(`mounts the Nextcloud data volumes ${dataInVzdump ? "in" : "out of"} vzdump, as the stack asks`, () => {
    const nextclouds = run.resources.filter((r) => r.type === CONTAINER && r.name.startsWith("nextcloud-"));
    expect(nextclouds.length).toBeGreaterThan(0);
    for (const c of nextclouds)
      expect(mountPoints(c).map((m) => ({ path: m.path, backup: m.backup }))).toEqual([
        { path: "/mnt/ncdata", backup: dataInVzdump },
      ]);
  });

  it("protects volumes left out of vzdump with a ZFS snapshot timer on their node", () => {
    const steps = run.resources.filter((r) => r.type === COMMAND && r.name.endsWith("-data-snapshots"));
    expect(steps.map((s) => s.name)).toEqual(snapshotSteps);
    for (const step of steps) {
      const stdin = String(run.clearInputs.get(step.urn)?.stdin);
      expect(stdin).toContain(DATA_SNAPSHOT_SCRIPT_PATH);
      // Both Nextcloud containers' data mounts, by VMID and path.
      expect(stdin).toContain("volumes=('400:/mnt/ncdata' '401:/mnt/ncdata')");
      expect(stdin).toContain("OnCalendar=hourly");
    }
  });
});
