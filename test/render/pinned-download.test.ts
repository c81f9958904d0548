import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderPinnedInstall } from "../../components/network-services/download";
import { run, scratchDir } from "../live/support/daemon";

// No network here: a stand-in curl serves the release asset and its checksum list from files.
describe("a release verified against its published checksum list", () => {
  const dir = scratchDir("checksums");
  const asset = join(dir.path, "asset.tar.gz");
  const list = join(dir.path, "checksums.txt");
  const installed = join(dir.path, "installed");
  const env = { PATH: `${join(dir.path, "bin")}:${process.env.PATH}`, FAKE_ASSET: asset, FAKE_LIST: list };
  const content = Buffer.from(`release ${Date.now()}`);
  const digest = createHash("sha256").update(content).digest("hex");

  beforeAll(() => {
    writeFileSync(asset, content);
    mkdirSync(join(dir.path, "bin"));
    const curl = join(dir.path, "bin/curl");
    writeFileSync(
      curl,
      [
        "#!/bin/bash",
        'out=""; url=""',
        'while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift ;; https://*) url="$1" ;; esac; shift; done',
        'case "$url" in *checksums.txt) cat "$FAKE_LIST" ;; *) cp "$FAKE_ASSET" "$out" ;; esac',
        "",
      ].join("\n"),
    );
    chmodSync(curl, 0o755);
  });
  afterAll(() => dir.remove());

  const step = () =>
    `set -euo pipefail\nchanged=0\n${renderPinnedInstall({
      url: "https://example.invalid/v1/Tool_linux_amd64.tar.gz",
      checksums: { url: "https://example.invalid/v1/checksums.txt", asset: "Tool_linux_amd64.tar.gz" },
      stamp: join(dir.path, "stamp"),
      stampValue: "v1 published",
      install: [`cp "$download" ${installed}`],
      flag: "changed",
    })}\necho "changed=$changed"`;

  it("is shellcheck clean", () => {
    expect(run("shellcheck", ["-s", "bash", "-"], step()).output).toBe("");
  });

  it("installs when the list names the asset with its digest, once", () => {
    writeFileSync(list, `${"0".repeat(64)}  Tool_linux_arm64.tar.gz\n${digest}  ./Tool_linux_amd64.tar.gz\n`);
    expect(run("bash", ["-c", step()], undefined, env).output).toContain("changed=1");
    expect(readFileSync(installed)).toEqual(content);
    expect(run("bash", ["-c", step()], undefined, env).output).toContain("changed=0");
  });

  it("refuses an asset whose digest differs from the list, and one the list does not name", () => {
    writeFileSync(join(dir.path, "stamp"), "older\n");
    writeFileSync(installed, "previous");
    writeFileSync(list, `${"1".repeat(64)}  Tool_linux_amd64.tar.gz\n`);
    const mismatch = run("bash", ["-c", step()], undefined, env);
    expect(mismatch.status).toBe(1);
    expect(mismatch.stderr).toContain("checksum mismatch");
    writeFileSync(list, `${digest}  Other_linux_amd64.tar.gz\n`);
    const missing = run("bash", ["-c", step()], undefined, env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no SHA-256 for Tool_linux_amd64.tar.gz");
    expect(readFileSync(installed, "utf8")).toBe("previous");
  });
});
