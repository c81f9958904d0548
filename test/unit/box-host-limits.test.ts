import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureInotifyInstances, MIN_INOTIFY_INSTANCES } from "../../box/lib/host-limits";

describe("the box's inotify limit", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "box-limits-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("raises a kernel default of 128 and says so", () => {
    const file = join(dir, "max_user_instances");
    writeFileSync(file, "128\n");
    const log: string[] = [];
    ensureInotifyInstances((l) => log.push(l), file);
    expect(Number(readFileSync(file, "utf8"))).toBe(MIN_INOTIFY_INSTANCES);
    expect(log.join("\n")).toContain("from 128 to 1024");
  });

  it("never lowers a higher limit", () => {
    const file = join(dir, "max_user_instances");
    writeFileSync(file, "8192\n");
    const log: string[] = [];
    ensureInotifyInstances((l) => log.push(l), file);
    expect(readFileSync(file, "utf8")).toBe("8192\n");
    expect(log).toEqual([]);
  });
});
