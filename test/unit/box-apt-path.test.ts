import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aptPathEvidence, isAptPathFailure, onceMoreOnAptPathFailure } from "../../box/lib/apt-path";

describe("evidence of a step that failed on the box's apt path", () => {
  let runDir: string;
  beforeEach(() => (runDir = mkdtempSync(join(tmpdir(), "box-apt-"))));
  afterEach(() => rmSync(runDir, { recursive: true, force: true }));

  it("recognises apt's connect errors on the relay's port, and nothing else", () => {
    expect(
      isAptPathFailure(
        "E: Failed to fetch http://deb.debian.org/x.deb  Could not connect to 10.10.0.1:3142 (10.10.0.1)",
      ),
    ).toBe(true);
    expect(isAptPathFailure("E: Unable to locate package prometheus-node-exporter")).toBe(false);
    expect(isAptPathFailure("listening on 10.10.0.1:31420")).toBe(false);
  });

  it("gives the last lines of the cache's and every relay's logs, naming each file", () => {
    mkdirSync(join(runDir, "acng"));
    writeFileSync(join(runDir, "acng", "apt-cacher.err"), "one\ntwo\nthree\n");
    writeFileSync(join(runDir, "apt-relay-host.log"), "");
    writeFileSync(join(runDir, "apt-relay-pxbox-sw.log"), "socat[42] E accept(): Too many open files\n");
    writeFileSync(join(runDir, "mirror-relay.log"), "not the apt path\n");
    const evidence = aptPathEvidence(runDir, 2);
    expect(evidence).toContain("acng/apt-cacher.err: two | three");
    expect(evidence).toContain("apt-relay-host.log: (empty)");
    expect(evidence).toContain("apt-relay-pxbox-sw.log: socat[42] E accept(): Too many open files");
    expect(evidence).not.toContain("mirror-relay");
  });
});

describe("a guest command whose first run fails on the box's apt path", () => {
  const ok = { code: 0, stderr: "" };
  const aptPath = { code: 100, stderr: "E: Failed to fetch …  Unable to connect to 10.10.0.1:3142:" };
  const other = { code: 1, stderr: "E: Unable to locate package php-nope" };
  const runs = (...results: { code: number; stderr: string }[]) => {
    const queue = [...results];
    const runOnce = jest.fn(async () => queue.shift()!);
    return runOnce;
  };

  it("runs once more, and the second run's result is the command's; the first failure is reported", async () => {
    const runOnce = runs(aptPath, ok);
    const retried: string[] = [];
    expect(await onceMoreOnAptPathFailure(runOnce, (f) => retried.push(f.stderr))).toBe(ok);
    expect(runOnce).toHaveBeenCalledTimes(2);
    expect(retried).toEqual([aptPath.stderr]);
  });

  it("fails when the second run fails too (only once more)", async () => {
    const runOnce = runs(aptPath, aptPath, ok);
    expect((await onceMoreOnAptPathFailure(runOnce, () => undefined)).code).toBe(100);
    expect(runOnce).toHaveBeenCalledTimes(2);
  });

  it("never runs again after a success or a failure of the script itself", async () => {
    for (const first of [ok, other]) {
      const runOnce = runs(first, ok);
      const onRetry = jest.fn();
      expect(await onceMoreOnAptPathFailure(runOnce, onRetry)).toBe(first);
      expect(runOnce).toHaveBeenCalledTimes(1);
      expect(onRetry).not.toHaveBeenCalled();
    }
  });
});
