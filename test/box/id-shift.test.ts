/**
 * The box's stand-in for LXC's user-namespace shift on an unprivileged guest's bind mount (bindfs):
 * the shared directory owned by 100033 on the host is www-data's (33) through the shifted view, what
 * www-data writes there is 100033 on the host (as the NFS side and the other app nodes expect), and
 * another user of the guest is refused. Needs root, bindfs and /dev/fuse.
 */
import { chownSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { whyBoxCannotRun } from "../../box/lib/capability";
import { mountShifted, shiftMapOption } from "../../box/lib/id-shift";
import { Teardown } from "../../box/lib/teardown";
import { run, scratchDir } from "../live/support/daemon";

const why = whyBoxCannotRun();
if (why) console.log(`box tests skipped: ${why}`);

(why ? describe.skip : describe)("unprivileged guests' bind mounts, shifted as LXC does", () => {
  const dir = scratchDir("id-shift");
  const source = join(dir.path, "host");
  const shifted = join(dir.path, "guest-view");
  const teardown = new Teardown();
  const asUser = (uid: number, command: string) =>
    run("setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "sh", "-c", command]);

  beforeAll(async () => {
    // The guest traverses the path to its mount point, as it does to any mount point.
    run("chmod", ["755", dir.path]);
    mkdirSync(join(source, "moodledata"), { recursive: true, mode: 0o755 });
    chownSync(join(source, "moodledata"), 100033, 100033);
    run("chmod", ["2770", join(source, "moodledata")]);
    await mountShifted(teardown, source, shifted);
  });

  afterAll(async () => {
    await teardown.runAll(() => undefined);
    dir.remove();
  });

  it("maps root and www-data only", () => {
    expect(shiftMapOption()).toBe("--map=100000/0:100033/33:@100000/@0:@100033/@33");
  });

  it("shows the host's 100033 as www-data (33) and back", () => {
    const seen = statSync(join(shifted, "moodledata"));
    expect([seen.uid, seen.gid]).toEqual([33, 33]);
    const wrote = asUser(33, `echo data >${join(shifted, "moodledata", "from-www-data")}`);
    expect([wrote.status, wrote.output]).toEqual([0, ""]);
    const onHost = statSync(join(source, "moodledata", "from-www-data"));
    expect([onHost.uid, onHost.gid]).toEqual([100033, 100033]);
  });

  it("refuses another guest user, and files the guest's root makes belong to 100000 on the host", () => {
    expect(asUser(1000, `touch ${join(shifted, "moodledata", "other")}`).status).not.toBe(0);
    expect(run("touch", [join(shifted, "by-root")]).status).toBe(0);
    expect(statSync(join(source, "by-root")).uid).toBe(100000);
  });

  it("is gone after the teardown", async () => {
    const mounts = () => run("findmnt", ["-n", shifted]).stdout.trim();
    expect(mounts()).not.toBe("");
    await teardown.runAll(() => undefined);
    expect(mounts()).toBe("");
  });
});
