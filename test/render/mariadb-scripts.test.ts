import {
  MARIADB_DUMP_SCRIPT_PATH,
  mariadbDumpCalendar,
  renderMariaDbDumpFiles,
  renderMariaDbDumpScript,
} from "../../components/database/mariadb-dump";
import {
  MARIADB_REPLICATION_STATE_PATH,
  mariadbReplicationScriptEnv,
  mariadbReplicationSecrets,
  renderMariaDbReplicationScript,
} from "../../components/database/mariadb-replication";
import {
  mariadbAppsScriptEnv,
  mariadbAppsSecrets,
  mariadbPrimaryScriptEnv,
  mariadbPrimarySecrets,
  renderMariaDbAppsScript,
  renderMariaDbPrimaryScript,
  renderMariaDbReplicaBootstrapScript,
} from "../../components/database/mariadb-scripts";
import { renderPrelude } from "../../components/proxmox/script";
import { placeholdersIn } from "../../components/proxmox/secret-forms";
import { findProgram, run } from "../live/support/daemon";
import { shellProblems } from "../live/support/shell";
import { primary, replica } from "./fixtures/mariadb";

const apps = [
  { database: "nextcloud_bowbo", user: "nextcloud_bowbo", clientHosts: ["192.168.0.40"] },
  { database: "moodle", user: "moodle", clientHosts: ["192.168.0.60", "192.168.0.61"] },
];
const primaryScript = renderMariaDbPrimaryScript({
  server: primary,
  replication: { replicaHosts: ["192.168.0.11"] },
});
const replicaBootstrapScript = renderMariaDbReplicaBootstrapScript({ server: replica });
const replicationScript = renderMariaDbReplicationScript({ primary: { primaryHost: "192.168.0.10" } });
const appsScript = renderMariaDbAppsScript({ apps });

/** The variables a script stops without (renderScript's `: "${NAME:?…}"` lines). */
function required(script: string): string[] {
  return [...script.matchAll(/^: "\$\{([A-Z0-9_]+):\?/gm)].map((m) => m[1]).sort();
}

test.each([
  ["primary", primaryScript],
  ["replica bootstrap", replicaBootstrapScript],
  ["replication", replicationScript],
  ["apps", appsScript],
  ["dump", renderMariaDbDumpScript()],
])("the %s script is shellcheck-clean", (_name, script) => {
  expect(shellProblems(script)).toBe("");
});

test("each script requires exactly the variables its env helper lists, and every placeholder is one", () => {
  const cases: [string, string[]][] = [
    [
      primaryScript,
      mariadbPrimaryScriptEnv({ server: primary, replication: { replicaHosts: ["192.168.0.11"] } }),
    ],
    [replicaBootstrapScript, []],
    [replicationScript, mariadbReplicationScriptEnv()],
    [appsScript, mariadbAppsScriptEnv({ apps })],
  ];
  for (const [script, env] of cases) {
    expect(required(script)).toEqual(env);
    expect(placeholdersIn(script).filter((p) => !env.includes(p))).toEqual([]);
  }
  expect(mariadbAppsScriptEnv({ apps })).toEqual([
    "MARIADB_APP_MOODLE_PASSWORD_HASH",
    "MARIADB_APP_NEXTCLOUD_BOWBO_PASSWORD_HASH",
  ]);
  expect(mariadbPrimaryScriptEnv({ server: primary })).toEqual(["MARIADB_MONITOR_PASSWORD_HASH"]);
});

test("the secret helpers give hashes (never the password) under exactly the required names", () => {
  const password = "correct horse";
  const primaryEnv = mariadbPrimarySecrets({ monitor: password, replication: password });
  expect(Object.keys(primaryEnv).sort()).toEqual(required(primaryScript));
  expect(Object.keys(mariadbAppsSecrets({ moodle: password, nextcloud_bowbo: password })).sort()).toEqual(
    required(appsScript),
  );
  for (const value of [
    ...Object.values(primaryEnv),
    ...Object.values(mariadbAppsSecrets({ moodle: password })),
  ]) {
    expect(value).toMatch(/^\*[0-9A-F]{40}$/);
  }
  // The replica's CHANGE MASTER needs the password itself.
  expect(mariadbReplicationSecrets(password)).toEqual({ MARIADB_REPLICATION_PASSWORD: password });
  expect(Object.keys(mariadbReplicationSecrets(password))).toEqual(required(replicationScript));
});

test("the replica's bootstrap needs no secret and no primary; only its replication step points at one", () => {
  expect(required(replicaBootstrapScript)).toEqual([]);
  expect(placeholdersIn(replicaBootstrapScript)).toEqual([]);
  for (const text of ["CHANGE MASTER", "START SLAVE", "192.168.0.10", MARIADB_REPLICATION_STATE_PATH])
    expect(replicaBootstrapScript).not.toContain(text);
  expect(replicaBootstrapScript).toContain("mariadb-server");
  for (const text of ["CHANGE MASTER TO", "MASTER_USE_GTID = slave_pos", "START SLAVE", "192.168.0.10"])
    expect(replicationScript).toContain(text);
  // The replication step installs and configures nothing: the bootstrap did.
  expect(replicationScript).not.toContain("apt-get");
  expect(replicationScript).not.toContain("systemctl");
});

test("a script refuses a password where a hash belongs, before it changes anything", () => {
  const r = run(
    "bash",
    ["-s"],
    renderPrelude({
      MARIADB_APP_MOODLE_PASSWORD_HASH: "plain",
      MARIADB_APP_NEXTCLOUD_BOWBO_PASSWORD_HASH: "plain",
    }) + appsScript,
    {
      MARIADB_CLIENT: "false",
    },
  );
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/MARIADB_APP_MOODLE_PASSWORD_HASH must be a mysql_native_password hash/);
});

test("a script stops when a required variable is missing", () => {
  const r = run("bash", ["-s"], appsScript, { MARIADB_CLIENT: "false" });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/MARIADB_APP_MOODLE_PASSWORD_HASH must be exported by the stdin prelude/);
});

test("scripts are for their role only", () => {
  expect(() => renderMariaDbPrimaryScript({ server: replica })).toThrow(/role primary/);
  expect(() => renderMariaDbReplicaBootstrapScript({ server: primary })).toThrow(/role replica/);
});

test("the primary restarts MariaDB only when its drop-in changed, and installs the dump timer", () => {
  expect(primaryScript).toContain("  mariadb_restart=1\n");
  expect(primaryScript).toMatch(/if \[ "\$mariadb_restart" = 1 \]; then\n {2}systemctl restart mariadb/);
  expect(primaryScript).toContain(`'${MARIADB_DUMP_SCRIPT_PATH}'`);
  expect(primaryScript).toContain("systemctl enable --quiet proxmox-sites-mariadb-dump.timer");
});

describe("dump job", () => {
  test.each([
    [6, "*-*-* 00/6:00:00"],
    [1, "*-*-* 00/1:00:00"],
    [24, "*-*-* 00:00:00"],
  ])("every %i hours is %p, which systemd accepts", (hours, calendar) => {
    expect(mariadbDumpCalendar(hours)).toBe(calendar);
    const check = run(findProgram("systemd-analyze"), ["calendar", calendar]);
    expect(check.output).toMatch(/Next elapse:/);
  });

  test.each([0, 25, 1.5])("rejects every %p hours", (hours) => {
    expect(() => mariadbDumpCalendar(hours)).toThrow(/everyHours/);
  });

  test("dumps consistently with the binary log position and GTID, and keeps the given days", () => {
    const script = renderMariaDbDumpScript({ retentionDays: 30, dumpDir: "/srv/dumps" });
    expect(script).toContain("--single-transaction --master-data=2 --gtid");
    expect(script).toContain("dump_dir='/srv/dumps'");
    expect(script).toContain("retention_days=30");
    const files = renderMariaDbDumpFiles({ everyHours: 4 });
    expect(files.map((f) => f.path)).toEqual([
      MARIADB_DUMP_SCRIPT_PATH,
      "/etc/systemd/system/proxmox-sites-mariadb-dump.service",
      "/etc/systemd/system/proxmox-sites-mariadb-dump.timer",
    ]);
    expect(files[2].content).toContain("OnCalendar=*-*-* 00/4:00:00\nPersistent=true");
    expect(() => renderMariaDbDumpFiles({ dumpDir: "/" })).toThrow(/dumpDir/);
  });
});
