/**
 * The one apt installer (components/proxmox/apt.ts) in each of its forms, run by bash against stub
 * dpkg-query, dpkg and apt-get that log their calls: nothing when every package is installed, one
 * `apt-get update` and an install of what is missing otherwise, non-interactively.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  renderAptInstall,
  renderAptInstallIf,
  renderAptInstallUnless,
  type AptLoopForm,
} from "../../components/proxmox/apt";
import { run, scratchDir } from "../live/support/daemon";
import { expectCleanShell } from "../live/support/shell";

const STUBS: Record<string, string> = {
  // Prints each named package's status (Abbrev form "ii " or "install ok installed" lines).
  "dpkg-query": `#!/bin/bash
format=""; packages=()
while [ $# -gt 0 ]; do
  case "$1" in -W) ;; -f) format="$2"; shift ;; -f*) format="\${1#-f}" ;; *) packages+=("$1") ;; esac
  shift
done
for p in "\${packages[@]}"; do
  if [[ " $INSTALLED " == *" $p "* ]]; then
    if [[ $format == *Abbrev* ]]; then printf 'ii '; else echo "install ok installed"; fi
  fi
done
exit 0
`,
  dpkg: `#!/bin/bash
[ "$1" = -s ] && [[ " $INSTALLED " == *" $2 "* ]] && echo "Status: install ok installed"
exit 0
`,
  "apt-get": `#!/bin/bash
echo "apt-get $* frontend=\${DEBIAN_FRONTEND:-}" >>"$APT_LOG"
`,
};

function runWith(script: string, installed: string): string[] {
  const dir = scratchDir("apt");
  try {
    for (const [name, body] of Object.entries(STUBS)) {
      writeFileSync(join(dir.path, name), body);
      chmodSync(join(dir.path, name), 0o755);
    }
    const log = join(dir.path, "apt.log");
    writeFileSync(log, "");
    const result = run("bash", ["-euo", "pipefail"], script, {
      PATH: `${dir.path}:${process.env.PATH ?? ""}`,
      INSTALLED: installed,
      APT_LOG: log,
      // Empty, as on a fresh guest: the script itself must make apt-get non-interactive.
      DEBIAN_FRONTEND: "",
    });
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
    return readFileSync(log, "utf8").split("\n").filter(Boolean);
  } finally {
    dir.remove();
  }
}

const monitoringForm: AptLoopForm = {
  names: { wanted: "wanted", missing: "missing", item: "pkg" },
  probe: "dpkg-s",
  frontend: "inline",
};

describe("the apt installer", () => {
  it.each([
    ["the toolkit's loop", renderAptInstall(["nginx", "php-fpm"])],
    ["the monitoring loop", renderAptInstall(["nginx", "php-fpm"], monitoringForm)],
  ])("%s installs only what is missing, and nothing on a second run", (_, script) => {
    expectCleanShell(script);
    expect(runWith(script, "nginx php-fpm")).toEqual([]);
    const calls = runWith(script, "nginx");
    expect(calls).toEqual([
      "apt-get update -qq frontend=" + (script.includes("export DEBIAN") ? "noninteractive" : ""),
      "apt-get install -y -qq --no-install-recommends php-fpm frontend=noninteractive",
    ]);
  });

  it("installs a tier's packages together unless its marker package is installed", () => {
    const script = renderAptInstallUnless("mariadb-server", ["mariadb-server", "mariadb-client"]);
    expectCleanShell(script);
    expect(runWith(script, "mariadb-server")).toEqual([]);
    expect(runWith(script, "mariadb-client")).toEqual([
      "apt-get update -qq frontend=noninteractive",
      "apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client frontend=noninteractive",
    ]);
  });

  it("takes the caller's condition, with Recommends and progress when asked", () => {
    const script = renderAptInstallIf('[ "${WANT:-1}" = 1 ]', ["nodejs"], {
      frontend: "inline",
      recommends: true,
      quiet: false,
    });
    expect(script).not.toContain("/dev/null");
    expect(runWith(script, "")).toEqual([
      "apt-get update -qq frontend=",
      "apt-get install -y -qq nodejs frontend=noninteractive",
    ]);
  });

  it("refuses a package name dpkg would not accept, in every form", () => {
    expect(() => renderAptInstall(["ok", "Bad Name"])).toThrow("bad Debian package name: Bad Name");
    expect(() => renderAptInstallUnless("x;rm", ["x"])).toThrow("bad Debian package name: x;rm");
    expect(() => renderAptInstallIf("true", ["$(id)"], { frontend: "export" })).toThrow(
      "bad Debian package name: $(id)",
    );
  });
});
