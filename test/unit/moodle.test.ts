import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { runUnderMocks, type MockRun, type RecordedResource } from "../../scripts/lib/mock-run";

const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
const COMMAND = "command:remote:Command";
const NFS_STORAGE = "proxmoxve:storage/nfs:Nfs";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const root = resolve(__dirname, "../..");

let base: MockRun;
let grown: MockRun;
let withRoot: MockRun;
let scratch: string;
let rootDir: string;

/** The school stack as an operator runs it: with `pulumi config set --secret proxmoxRootPassword`. */
function schoolWithRootPassword(): string {
  const dir = mkdtempSync(join(tmpdir(), "moodle-root-"));
  copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  const doc = parse(readFileSync(join(root, "Pulumi.school.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  doc.config["proxmox-sites:proxmoxRootPassword"] = { secure: "v1:not-decrypted-by-the-plan" };
  writeFileSync(join(dir, "Pulumi.school.yaml"), stringify(doc));
  return dir;
}

/** The school stack with a fourth app node, app4, in a directory of its own. */
function schoolWithApp4(): string {
  const dir = mkdtempSync(join(tmpdir(), "moodle-app4-"));
  copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  const doc = parse(readFileSync(join(root, "Pulumi.school.yaml"), "utf8")) as {
    config: Record<string, { nodes: Record<string, Record<string, unknown>> }>;
  };
  const nodes = doc.config["proxmox-sites:moodle"].nodes;
  nodes.app4 = { ...nodes.app3, vmid: 213, hostname: "moodle-app4", ip: "10.10.0.34" };
  writeFileSync(join(dir, "Pulumi.school.yaml"), stringify(doc));
  return dir;
}

beforeAll(async () => {
  base = await runUnderMocks("school");
  scratch = schoolWithApp4();
  grown = await runUnderMocks("school", scratch);
  rootDir = schoolWithRootPassword();
  withRoot = await runUnderMocks("school", rootDir);
}, 90000);

afterAll(() => {
  for (const dir of [scratch, rootDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const inMoodle = (r: MockRun) =>
  r.resources.filter((x) => x.urn.includes("proxmox-sites:moodle:MoodleCluster$"));
/** The Moodle tier's provisioning commands by name (`moodle-app1-app`, `moodle-lb1-balancer`, …). */
function commands(r: MockRun): Map<string, RecordedResource> {
  return new Map(
    inMoodle(r)
      .filter((x) => x.type === COMMAND && !x.name.endsWith("-node-exporter"))
      .map((x) => [x.name, x]),
  );
}
const scriptHash = (c: RecordedResource) => (c.inputs.triggers as string[])[0];
const stdinOf = (r: MockRun, c: RecordedResource) => String(r.clearInputs.get(c.urn)!.stdin);
/** The script part of a command's stdin, without the prelude of `export` lines. */
const scriptOf = (r: MockRun, c: RecordedResource) => stdinOf(r, c).slice(stdinOf(r, c).indexOf("#!"));
const preludeNames = (r: MockRun, c: RecordedResource) =>
  [
    ...stdinOf(r, c)
      .slice(0, stdinOf(r, c).indexOf("#!"))
      .matchAll(/^export ([A-Z0-9_]+)=/gm),
  ].map((m) => m[1]);

describe("the school stack's Moodle cluster under mocks", () => {
  it("creates two balancers and three app nodes, and no files guest: a node serves the files", () => {
    const guests = inMoodle(base)
      .filter((x) => x.type === CONTAINER)
      .map((x) => [x.name, x.inputs.vmId]);
    expect(guests.sort()).toEqual([
      ["moodle-app1", 210],
      ["moodle-app2", 211],
      ["moodle-app3", 212],
      ["moodle-lb1", 200],
      ["moodle-lb2", 201],
    ]);
  });

  it("keeps the app nodes unprivileged and gives them the shared dataroot as a bind mount, via root@pam", () => {
    const containers = inMoodle(withRoot).filter((x) => x.type === CONTAINER);
    for (const n of ["app1", "app2", "app3"]) {
      const app = containers.find((x) => x.name === `moodle-${n}`)!;
      expect(app.inputs.unprivileged).toBe(true);
      // No NFS inside the guest: the kernel refuses NFS mounts in a user namespace.
      expect(app.inputs.features).toEqual({ nesting: true });
      expect(app.inputs.mountPoints).toEqual([
        {
          volume: "/mnt/pve/moodle-shared/moodledata",
          path: "/var/moodledata",
          shared: true,
          backup: false,
          replicate: false,
        },
      ]);
      // Proxmox refuses bind mounts to API tokens: only these guests use root@pam.
      expect(app.provider).toMatch(/::school-proxmox-root$/);
      // The bind mount's source is checked on the guest's own node before the container exists.
      expect(app.dependsOn.map((u) => u.split("::").pop())).toEqual([
        `${app.inputs.nodeName}-moodle-shared-storage`,
      ]);
    }
    const roots = withRoot.resources
      .filter((x) => x.type === CONTAINER && x.provider?.endsWith("::school-proxmox-root"))
      .map((x) => x.name);
    expect(roots.sort()).toEqual(["moodle-app1", "moodle-app2", "moodle-app3"]);
  });

  it("registers the NFS storage on every Proxmox node with the API token, after the export exists", () => {
    const storages = base.resources.filter((x) => x.type === NFS_STORAGE);
    expect(storages).toHaveLength(1);
    expect(storages[0].inputs).toMatchObject({
      resourceId: "moodle-shared",
      // The files node pve-school2 serves it from its directory /srv/moodledata.
      server: "10.10.0.3",
      export: "/srv/moodledata",
      options: "vers=4.2",
      // Every node: HA or an operator may move an app node to any of them.
      nodes: ["pve-school", "pve-school2", "pve-school3", "pve-school4"],
      createBasePath: false,
      createSubdirs: false,
    });
    expect(storages[0].provider).toMatch(/::school-proxmox$/);
    expect(storages[0].dependsOn.map((u) => u.split("::").pop())).toEqual(["pve-school2-moodle-files"]);
    // The node step runs on each node, over SSH to that node.
    const nodeSteps = base.resources.filter(
      (x) => x.type === COMMAND && x.name.endsWith("-moodle-shared-storage"),
    );
    expect(
      nodeSteps.map((x) => [x.name, (base.clearInputs.get(x.urn)!.connection as { host: string }).host]),
    ).toEqual([
      ["pve-school-moodle-shared-storage", "10.10.0.2"],
      ["pve-school2-moodle-shared-storage", "10.10.0.3"],
      ["pve-school3-moodle-shared-storage", "10.10.0.4"],
      ["pve-school4-moodle-shared-storage", "10.10.0.5"],
    ]);
    for (const nodeStep of nodeSteps) {
      expect(nodeStep.inputs.create).toBe("bash -s");
      expect(nodeStep.dependsOn.some((u) => u.endsWith("::moodle-shared-storage"))).toBe(true);
      expect(String(base.clearInputs.get(nodeStep.urn)!.stdin)).toContain(
        "pvesm status --storage 'moodle-shared'",
      );
    }
  });

  it("serves NFS from the files node, provisions each balancer and each app node in its own guest", () => {
    const c = commands(base);
    const vmidOf = (name: string) =>
      (c.get(name)?.inputs.create as string | undefined)?.match(/pct exec (\d+)/)?.[1];
    // A host step over SSH to pve-school2, as node hardening: no container can serve NFS.
    const files = c.get("pve-school2-moodle-files")!;
    expect(files.inputs.create).toBe("bash -s");
    expect((base.clearInputs.get(files.urn)!.connection as { host: string }).host).toBe("10.10.0.3");
    expect(vmidOf("moodle-lb1-balancer")).toBe("200");
    expect(vmidOf("moodle-lb2-balancer")).toBe("201");
    for (const [node, vmid] of [
      ["app1", "210"],
      ["app2", "211"],
      ["app3", "212"],
    ]) {
      expect(vmidOf(`moodle-${node}-app`)).toBe(vmid);
      expect(vmidOf(`moodle-${node}-mount`)).toBe(vmid);
      expect(vmidOf(`moodle-${node}-cron`)).toBe(vmid);
      expect(scriptOf(base, c.get(`moodle-${node}-app`)!)).toContain("# Moodle app node: nginx, php-fpm 8.2");
      expect(scriptOf(base, c.get(`moodle-${node}-app`)!)).not.toContain("mount /var/moodledata");
      expect(scriptOf(base, c.get(`moodle-${node}-mount`)!)).toContain("(bind mount from the Proxmox node)");
    }
    const balancer = scriptOf(base, c.get("moodle-lb1-balancer")!);
    expect(balancer).toContain("HAProxy and keepalived (VIP 10.10.0.20)");
    expect(balancer).toContain("server app3 10.10.0.33:80");
    // The export's clients are the Proxmox nodes, which mount it as a cluster storage.
    const ganesha = scriptOf(base, files);
    expect(ganesha).toContain('Path = "/srv/moodledata";');
    expect(ganesha).toContain("Clients = 10.10.0.2, 10.10.0.3, 10.10.0.4, 10.10.0.5;");
  });

  it("installs once, on the cron node after its mount step, and enables cron on exactly that node", () => {
    const c = commands(base);
    const installers = [...c.keys()].filter((n) => n.endsWith("-install"));
    expect(installers).toEqual(["moodle-app1-install"]);
    const install = c.get("moodle-app1-install")!;
    expect(install.dependsOn.some((u) => u.endsWith("::moodle-app1-mount"))).toBe(true);
    const enabled = ["app1", "app2", "app3"].filter((n) =>
      scriptOf(base, c.get(`moodle-${n}-cron`)!).includes("systemctl enable --quiet moodle-cron.timer"),
    );
    expect(enabled).toEqual(["app1"]);
    expect(c.get("moodle-app1-cron")!.dependsOn.some((u) => u.endsWith("::moodle-app1-install"))).toBe(true);
    for (const n of ["app2", "app3"])
      expect(c.get(`moodle-${n}-cron`)!.dependsOn.some((u) => u.endsWith(`::moodle-${n}-mount`))).toBe(true);
  });

  it("app steps wait for their guest only; the dataroot check for the app step; the installer for it + data tiers", () => {
    const c = commands(base);
    for (const n of ["app1", "app2", "app3"]) {
      expect(c.get(`moodle-${n}-app`)!.dependsOn.map((u) => u.split("::").pop())).toEqual([`moodle-${n}`]);
      const mount = c.get(`moodle-${n}-mount`)!.dependsOn.map((u) => u.split("::").pop());
      expect(mount.sort()).toEqual([`moodle-${n}`, `moodle-${n}-app`].sort());
    }
    const installer = c.get("moodle-app1-install")!.dependsOn;
    expect(installer.some((u) => u.endsWith("::moodle-app1-mount"))).toBe(true);
    expect(installer.some((u) => u.includes("proxmox-sites:data:MariaDbCluster$"))).toBe(true);
    expect(installer.some((u) => u.includes("proxmox-sites:data:RedisCache$"))).toBe(true);
  });

  it("generates the admin, stats and keepalived passwords; keepalived's is 8 alphanumerics", () => {
    const passwords = inMoodle(base)
      .filter((x) => x.type === PASSWORD)
      .map((x) => [x.name, x.inputs.length, x.inputs.special]);
    expect(passwords.sort()).toEqual([
      ["moodle-admin-password", 32, false],
      ["moodle-keepalived-password", 8, false],
      ["moodle-stats-password", 32, false],
    ]);
  });

  it("each script gets exactly its secrets, on a secret stdin, never in its text", () => {
    const c = commands(base);
    const expected: Record<string, string[]> = {
      "pve-school2-moodle-files": [],
      "moodle-lb1-balancer": ["HAPROXY_STATS_PASSWORD", "KEEPALIVED_AUTH_PASSWORD"],
      "moodle-app1-app": ["MOODLE_DB_PASSWORD", "MOODLE_REDIS_PASSWORD"],
      "moodle-app1-mount": [],
      "moodle-app1-install": ["MOODLE_ADMIN_PASSWORD", "MOODLE_REDIS_PASSWORD"],
      "moodle-app1-cron": [],
    };
    for (const [name, vars] of Object.entries(expected))
      expect([name, preludeNames(base, c.get(name)!)]).toEqual([name, vars]);
    // Secret values are passwords, tokens and keys, but also every secret stdin as a whole: leave those out.
    const passwords = [...base.secretValues].filter((v) => !v.includes("\n"));
    expect(passwords.length).toBeGreaterThan(5);
    for (const command of c.values()) {
      expect(command.secretPaths).toContain("stdin");
      expect(command.inputs.stdin).toBe("[secret]");
      expect(command.inputs.logging).toBe("none");
      const script = scriptOf(base, command);
      for (const secret of passwords) expect(script.includes(secret)).toBe(false);
    }
    const shown = JSON.stringify(inMoodle(base).map((x) => x.inputs));
    for (const secret of base.secretValues) expect(shown.includes(secret)).toBe(false);
  });
});

describe("adding a fourth app node", () => {
  it("adds its guest and steps and removes nothing", () => {
    const before = new Set(base.resources.map((x) => x.urn));
    const after = new Set(grown.resources.map((x) => x.urn));
    const removed = [...before].filter((u) => !after.has(u));
    const added = [...after].filter((u) => !before.has(u));
    expect(removed).toEqual([]);
    const addedMoodle = added.filter((u) => u.includes("MoodleCluster$")).map((u) => u.split("::").pop());
    expect(addedMoodle).toEqual(
      expect.arrayContaining(["moodle-app4", "moodle-app4-app", "moodle-app4-mount", "moodle-app4-cron"]),
    );
    expect(addedMoodle).not.toContain("moodle-app4-install");
  });

  it("leaves the existing guests and node scripts as they were; the balancers' configs change", () => {
    const containers = (r: MockRun) =>
      new Map(
        inMoodle(r)
          .filter((x) => x.type === CONTAINER)
          .map((x) => [x.name, x.inputs]),
      );
    const [was, is] = [containers(base), containers(grown)];
    for (const [name, inputs] of was) expect([name, is.get(name)]).toEqual([name, inputs]);

    const [c0, c1] = [commands(base), commands(grown)];
    for (const name of c0.keys()) {
      if (name.endsWith("-balancer")) continue;
      expect([name, scriptHash(c1.get(name)!)]).toEqual([name, scriptHash(c0.get(name)!)]);
    }
    for (const lb of ["moodle-lb1-balancer", "moodle-lb2-balancer"]) {
      expect(scriptHash(c1.get(lb)!)).not.toBe(scriptHash(c0.get(lb)!));
      expect(scriptOf(grown, c1.get(lb)!)).toContain("server app4 10.10.0.34:80");
    }
    // The NFS export's clients are the Proxmox nodes: a new app node changes nothing there.
    expect(scriptHash(c1.get("pve-school2-moodle-files")!)).toBe(
      scriptHash(c0.get("pve-school2-moodle-files")!),
    );
  });
});

describe("moodledata on an external NAS", () => {
  let nas: MockRun;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "moodle-nas-"));
    copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    const doc = parse(readFileSync(join(root, "Pulumi.school.yaml"), "utf8")) as {
      config: Record<string, Record<string, unknown>>;
    };
    delete doc.config["proxmox-sites:moodle"].sharedFiles;
    doc.config["proxmox-sites:moodle"].sharedStorage = { server: "10.10.0.5", export: "/volume1/moodle" };
    writeFileSync(join(dir, "Pulumi.school.yaml"), stringify(doc));
    nas = await runUnderMocks("school", dir);
  }, 60000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves nothing from a node, registers the NAS's export and still bind-mounts it into every app node", () => {
    expect(nas.resources.some((x) => x.name.endsWith("-moodle-files"))).toBe(false);
    const storage = nas.resources.find((x) => x.type === NFS_STORAGE)!;
    expect(storage.inputs).toMatchObject({ server: "10.10.0.5", export: "/volume1/moodle" });
    expect(storage.dependsOn).toEqual([]);
    for (const n of ["app1", "app2", "app3"]) {
      const app = nas.resources.find((x) => x.type === CONTAINER && x.name === `moodle-${n}`)!;
      expect((app.inputs.mountPoints as { volume: string }[])[0].volume).toBe(
        "/mnt/pve/moodle-shared/moodledata",
      );
    }
  });
});
