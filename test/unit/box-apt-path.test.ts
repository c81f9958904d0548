import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aptPathEvidence, isAptPathFailure } from "../../box/lib/apt-path";

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
