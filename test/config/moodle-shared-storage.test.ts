import { validateSiteConfig } from "../../config/validate";
import { diffInputs } from "../../scripts/lib/plan-diff";
import { problemsOf, stackValues } from "./fixtures/validation";

const school = () => stackValues("school");

describe("moodle.sharedStorage", () => {
  it("defaults to the storage moodle-shared, served by the sharedFiles guest", () => {
    const raw = school();
    delete raw.moodle.sharedStorage;
    const m = validateSiteConfig("case", raw).config.moodle!;
    expect(m.sharedStorage).toEqual({ id: "moodle-shared", directory: "moodledata", options: "vers=4.2" });
  });

  it("takes an external NAS instead of the files guest, and then needs its server and export", () => {
    const raw = school();
    delete raw.moodle.sharedFiles;
    expect(problemsOf(raw)).toEqual([
      "moodle.sharedStorage.server: is required without moodle.sharedFiles (the external NFS server of the shared moodledata)",
      "moodle.sharedStorage.export: is required without moodle.sharedFiles (the external NFS server of the shared moodledata)",
    ]);
    raw.moodle.sharedStorage = { server: "10.10.0.5", export: "/volume1/moodle" };
    expect(problemsOf(raw)).toEqual([]);
  });

  it("refuses a NAS and a files guest together, a storage id the site already uses, and bad names", () => {
    const raw = school();
    raw.moodle.sharedStorage = {
      id: "local-lvm",
      server: "10.10.0.5",
      directory: "a/b",
      options: "vers=4.2 hard",
    };
    expect(problemsOf(raw)).toEqual([
      'moodle.sharedStorage.directory: "a/b" must be one directory name such as moodledata',
      'moodle.sharedStorage.options: "vers=4.2 hard" must be NFS mount options such as vers=4.2',
    ]);
    raw.moodle.sharedStorage = { id: "local-lvm", server: "10.10.0.5" };
    expect(problemsOf(raw)).toEqual([
      "moodle.sharedStorage.server: 10.10.0.5 names an external NFS server, but moodle.sharedFiles builds one: keep one of them",
      'moodle.sharedStorage.id: "local-lvm" is already proxmox.storage.rootfs; the shared moodledata needs a storage of its own',
    ]);
  });
});

describe("the app nodes' bind mount in the plan diff", () => {
  it("is a replacement when the shared storage's directory changes (mount points are force-new)", () => {
    const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
    const mount = (volume: string) => ({
      mountPoints: [{ volume, path: "/var/moodledata", shared: true, backup: false, replicate: false }],
    });
    const [change] = diffInputs(
      CONTAINER,
      mount("/mnt/pve/moodle-shared/moodledata"),
      mount("/mnt/pve/moodle-nas/moodledata"),
    );
    expect(change.replaces).toBe("mountPoints changed (mountPoints.0.volume)");
  });
});
