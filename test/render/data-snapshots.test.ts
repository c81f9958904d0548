import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DATA_SNAPSHOT_SCRIPT_PATH,
  renderDataSnapshotNodeScript,
  renderDataSnapshotScript,
  renderDataSnapshotService,
  renderDataSnapshotTimer,
  type DataSnapshotInput,
} from "../../components/proxmox/data-snapshots";
import { findProgram, run, scratchDir } from "../live/support/daemon";
import { expectCleanShell } from "../live/support/shell";

const input: DataSnapshotInput = {
  volumes: [
    { vmid: 400, path: "/mnt/ncdata" },
    { vmid: 401, path: "/mnt/ncdata" },
  ],
  schedule: "hourly",
  keepHourly: 3,
  keepDaily: 2,
};

describe("ZFS snapshot timer of the data volumes vzdump leaves out", () => {
  it("the snapshot script and the node script pass bash -n and shellcheck", () => {
    expectCleanShell(renderDataSnapshotScript(input));
    expectCleanShell(renderDataSnapshotNodeScript(input));
  });

  it("systemd-analyze accepts the service, the timer and its calendar", () => {
    const d = scratchDir("snapshot-units");
    try {
      const script = join(d.path, "snapshots");
      writeFileSync(script, renderDataSnapshotScript(input));
      chmodSync(script, 0o755);
      // The unit as rendered, pointing at the scratch copy of the script (verify checks it exists).
      const service = renderDataSnapshotService().replace(DATA_SNAPSHOT_SCRIPT_PATH, script);
      writeFileSync(join(d.path, "proxmox-sites-data-snapshots.service"), service);
      writeFileSync(
        join(d.path, "proxmox-sites-data-snapshots.timer"),
        renderDataSnapshotTimer(input.schedule),
      );
      const verify = run(findProgram("systemd-analyze"), [
        "verify",
        join(d.path, "proxmox-sites-data-snapshots.timer"),
        join(d.path, "proxmox-sites-data-snapshots.service"),
      ]);
      expect(verify.output).toBe("");
      expect(verify.status).toBe(0);
      for (const schedule of ["hourly", "*-*-* 00/4:00:00"]) {
        const onCalendar = /^OnCalendar=(.*)$/m.exec(renderDataSnapshotTimer(schedule))![1];
        expect(run(findProgram("systemd-analyze"), ["calendar", onCalendar]).status).toBe(0);
      }
      expect(run(findProgram("systemd-analyze"), ["calendar", "every hour"]).status).not.toBe(0);
    } finally {
      d.remove();
    }
  });

  describe("run against stand-ins for pct, pvesm, zfs and date", () => {
    const d = scratchDir("snapshot-run");
    const bin = join(d.path, "bin");
    const state = join(d.path, "snapshots");
    afterAll(() => d.remove());

    const fake = (name: string, body: string) => {
      run("mkdir", ["-p", bin]);
      writeFileSync(join(bin, name), `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    beforeAll(() => {
      writeFileSync(state, "tank/subvol-400-disk-1@manual-before-upgrade\n");
      // CT 400 mounts its data at /mnt/ncdata and another volume at /mnt/ncdata2; CT 401 mounts nothing there.
      fake(
        "pct",
        `case "$2" in
  400) printf '%s\\n' 'arch: amd64' 'mp1: tank:subvol-400-disk-2,mp=/mnt/ncdata2,size=8G' 'mp0: tank:subvol-400-disk-1,mp=/mnt/ncdata,backup=0,size=4000G' 'rootfs: local-lvm:vm-400-disk-0,size=32G' ;;
  401) printf '%s\\n' 'arch: amd64' 'rootfs: local-lvm:vm-401-disk-0,size=32G' ;;
esac`,
      );
      fake("pvesm", `[ "$1" = path ] && echo "/\${2/://}"`);
      fake(
        "zfs",
        `state=${state}
case "$1" in
  snapshot) if grep -qxF "$2" "$state"; then echo "dataset already exists" >&2; exit 1; fi; echo "$2" >>"$state" ;;
  destroy) grep -vxF "$2" "$state" >"$state.new" || true; mv "$state.new" "$state" ;;
  list)
    last="\${*: -1}"
    if [[ " $* " == *" -t snapshot "* ]]; then grep -F "$last@" "$state" || true
    else case "$last" in /tank/subvol-400-disk-1) echo tank/subvol-400-disk-1 ;; *) echo "cannot open '$last'" >&2; exit 1 ;; esac
    fi ;;
esac`,
      );
      fake("date", `case "$1" in +%Y%m%d) echo "$FAKE_DAY" ;; *) echo "$FAKE_DAY"T"$FAKE_TIME" ;; esac`);
    });

    it("keeps the newest hourly and daily snapshots of the mounted dataset only, and reports the missing one", () => {
      const script = join(d.path, "snapshots.sh");
      writeFileSync(script, renderDataSnapshotScript(input));
      const statuses: (number | null)[] = [];
      for (const day of ["20261201", "20261202", "20261203"]) {
        for (const time of ["000000", "010000", "020000", "030000"]) {
          const r = run("bash", [script], undefined, {
            PATH: `${bin}:${process.env.PATH}`,
            FAKE_DAY: day,
            FAKE_TIME: time,
          });
          statuses.push(r.status);
          expect(r.stderr).toBe("CT 401: no ZFS dataset mounted at /mnt/ncdata\n");
        }
      }
      // Every run snapshots what it can and still fails for the volume it cannot find.
      expect(new Set(statuses)).toEqual(new Set([1]));
      expect(readFileSync(state, "utf8").trim().split("\n").sort()).toEqual([
        "tank/subvol-400-disk-1@manual-before-upgrade",
        "tank/subvol-400-disk-1@proxmox-sites-daily-20261202",
        "tank/subvol-400-disk-1@proxmox-sites-daily-20261203",
        "tank/subvol-400-disk-1@proxmox-sites-hourly-20261203T010000",
        "tank/subvol-400-disk-1@proxmox-sites-hourly-20261203T020000",
        "tank/subvol-400-disk-1@proxmox-sites-hourly-20261203T030000",
      ]);
    });
  });

  it("refuses a retention of zero and paths that are not mount paths", () => {
    expect(() => renderDataSnapshotScript({ ...input, keepHourly: 0 })).toThrow("keepHourly must be ≥ 1");
    expect(() => renderDataSnapshotScript({ ...input, volumes: [{ vmid: 400, path: "data; rm" }] })).toThrow(
      "bad mount path",
    );
  });
});
