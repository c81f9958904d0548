import { runUnderMocks, type MockRun, type RecordedResource } from "../../scripts/lib/mock-run";

const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
const VM = "proxmoxve:index/vmLegacy:VmLegacy";

const runs = new Map<string, MockRun>();
async function run(stack: string): Promise<MockRun> {
  if (!runs.has(stack)) runs.set(stack, await runUnderMocks(stack));
  return runs.get(stack)!;
}

const ofType = (r: MockRun, type: string) => r.resources.filter((x) => x.type === type);
const byName = (r: MockRun, name: string, type = CONTAINER): RecordedResource => {
  const found = r.resources.find((x) => x.name === name && x.type === type);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
};

describe("each stack under mocks", () => {
  it("prod registers every guest of the seed with its VMID, IP, cores and memory", async () => {
    const r = await run("prod");
    const guests = ofType(r, CONTAINER).map((c) => ({
      name: c.name,
      vmid: c.inputs.vmId,
      ip: (c.inputs.initialization as { ipConfigs: { ipv4: { address: string } }[] }).ipConfigs[0].ipv4
        .address,
      cores: (c.inputs.cpu as { cores: number }).cores,
      memoryMb: (c.inputs.memory as { dedicated: number }).dedicated,
    }));
    expect(guests.sort((a, b) => Number(a.vmid) - Number(b.vmid))).toEqual([
      { name: "database-primary", vmid: 100, ip: "192.168.0.10/24", cores: 4, memoryMb: 8192 },
      { name: "database-replica", vmid: 101, ip: "192.168.0.11/24", cores: 2, memoryMb: 4096 },
      { name: "redis", vmid: 102, ip: "192.168.0.12/24", cores: 2, memoryMb: 4096 },
      { name: "frontend", vmid: 200, ip: "192.168.0.20/24", cores: 4, memoryMb: 8192 },
      { name: "backend", vmid: 201, ip: "192.168.0.21/24", cores: 4, memoryMb: 8192 },
      { name: "network-services", vmid: 300, ip: "192.168.0.30/24", cores: 2, memoryMb: 2048 },
      { name: "monitoring", vmid: 301, ip: "192.168.0.31/24", cores: 2, memoryMb: 4096 },
      // The print server of the report's implementation plan (not in the seed's table).
      { name: "print-server", vmid: 302, ip: "192.168.0.32/24", cores: 1, memoryMb: 1024 },
      { name: "nextcloud-bowbo", vmid: 400, ip: "192.168.0.40/24", cores: 4, memoryMb: 8192 },
      { name: "nextcloud-maro", vmid: 401, ip: "192.168.0.41/24", cores: 4, memoryMb: 8192 },
      { name: "frappe", vmid: 500, ip: "192.168.0.50/24", cores: 6, memoryMb: 4096 },
      { name: "snipe-it", vmid: 501, ip: "192.168.0.51/24", cores: 2, memoryMb: 4096 },
      { name: "passbolt", vmid: 502, ip: "192.168.0.52/24", cores: 2, memoryMb: 2048 },
    ]);
    const vm = byName(r, "windows-gpu", VM);
    expect(vm.inputs).toMatchObject({
      vmId: 900,
      machine: "q35",
      bios: "ovmf",
      cpu: { type: "host", cores: 8, numa: true },
    });
    expect(vm.inputs.tpmState).toMatchObject({ version: "v2.0" });
    expect(vm.inputs.efiDisk).toMatchObject({ type: "4m", preEnrolledKeys: true });
    expect(vm.inputs.hostpcis).toEqual([
      expect.objectContaining({ device: "hostpci0", pcie: true, mapping: "windows-render-gpu" }),
      expect.objectContaining({ device: "hostpci1", pcie: true, mapping: "windows-render-gpu-audio" }),
    ]);
    expect(vm.inputs.disks).toEqual([expect.objectContaining({ size: 100, ssd: true, interface: "scsi0" })]);
  });

  it("school registers the balancers, three app nodes, shared files, database pair and Redis", async () => {
    const r = await run("school");
    expect(
      ofType(r, CONTAINER)
        .map((c) => c.name)
        .sort(),
    ).toEqual(
      [
        "database-primary",
        "database-replica",
        "monitoring",
        "moodle-app1",
        "moodle-app2",
        "moodle-app3",
        "moodle-lb1",
        "moodle-lb2",
        "redis",
      ].sort(),
    );
    expect(ofType(r, VM)).toEqual([]);
  });

  it("staging is a smaller copy without the GPU VM, on its own VMIDs", async () => {
    const r = await run("staging");
    const vmids = ofType(r, CONTAINER).map((c) => Number(c.inputs.vmId));
    expect(vmids.length).toBe(12);
    expect(vmids.every((v) => v >= 1100 && v < 1600)).toBe(true);
    expect(ofType(r, VM)).toEqual([]);
  });

  it.each(["prod", "school"])(
    "%s downloads each template once per node and guests share it",
    async (stack) => {
      const r = await run(stack);
      const downloads = ofType(r, "proxmoxve:download/file:File");
      const names = downloads.map((d) => `${d.inputs.nodeName}/${d.inputs.fileName}`);
      expect(new Set(names).size).toBe(names.length);
      const used = new Set(
        ofType(r, CONTAINER).map(
          (c) => (c.inputs.operatingSystem as { templateFileId: string }).templateFileId,
        ),
      );
      expect(used.size).toBe(downloads.length);
    },
  );

  it.each(["prod", "school"])(
    "%s protects every stateful guest and leaves stateless ones free",
    async (stack) => {
      const r = await run(stack);
      const stateful =
        stack === "prod"
          ? [
              "database-primary",
              "database-replica",
              "nextcloud-bowbo",
              "nextcloud-maro",
              "frappe",
              "passbolt",
            ]
          : ["database-primary", "database-replica"];
      for (const c of ofType(r, CONTAINER)) {
        const expected = stateful.includes(c.name);
        expect({ name: c.name, protect: c.protect, protection: c.inputs.protection }).toEqual({
          name: c.name,
          protect: expected,
          protection: expected,
        });
      }
      for (const vm of ofType(r, VM)) expect(vm.protect).toBe(true);
    },
  );

  it.each(["prod", "staging", "school"])(
    "%s: every guest is unprivileged unless its tier needs otherwise, with tags sorted lower-case",
    async (stack) => {
      const r = await run(stack);
      for (const c of ofType(r, CONTAINER)) {
        expect({ name: c.name, unprivileged: c.inputs.unprivileged }).toEqual({
          name: c.name,
          unprivileged: true,
        });
        const tags = c.inputs.tags as string[];
        expect(tags).toEqual([...tags].map((t) => t.toLowerCase()).sort());
      }
    },
  );

  it("no generated secret appears in any input that is not marked secret", async () => {
    for (const stack of ["prod", "staging", "school"]) {
      const r = await run(stack);
      expect(r.secretValues.size).toBeGreaterThan(0);
      const shown = JSON.stringify(r.resources.map((x) => x.inputs)) + JSON.stringify(r.outputs);
      for (const secret of r.secretValues) expect(shown.includes(secret)).toBe(false);
    }
  });

  it("backups: one vzdump job per storage carries the whole retention (Proxmox prunes per guest and storage)", async () => {
    const r = await run("prod");
    const jobs = ofType(r, "proxmoxve:backup/job:Job").map((j) => j.inputs);
    expect(jobs).toEqual([
      expect.objectContaining({
        all: true,
        schedule: "02:00",
        storage: "backups",
        pruneBackups: { "keep-daily": "30", "keep-weekly": "4" },
      }),
    ]);
  });
});
