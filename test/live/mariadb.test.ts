/**
 * The MariaDB tier on real servers: a primary (127.10.0.10) and a replica (127.10.0.11) started with
 * the rendered drop-in behind Debian's own 50-server.cnf, provisioned by the rendered scripts (the
 * SQL reaches each server through MARIADB_CLIENT), then a restore target (127.10.0.12). Application
 * clients bind their own source addresses (127.10.0.40-.49). systemd is not running here: a recorder
 * stands in for `systemctl` so the test can see when a script would restart a service.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  MARIADB_CONFIG_PATH,
  MariaDbServerInput,
  renderMariaDbConfig,
} from "../../components/database/mariadb-config";
import { MARIADB_DUMP_SCRIPT_PATH } from "../../components/database/mariadb-dump";
import { MariaDbAppDatabase } from "../../components/database/mariadb-sql";
import {
  mariadbReplicationSecrets,
  renderMariaDbReplicationScript,
} from "../../components/database/mariadb-replication";
import {
  mariadbAppsSecrets,
  mariadbPrimarySecrets,
  renderMariaDbAppsScript,
  renderMariaDbPrimaryScript,
  renderMariaDbReplicaBootstrapScript,
} from "../../components/database/mariadb-scripts";
import { renderPrelude } from "../../components/proxmox/script";
import {
  RunningDaemon,
  findProgram,
  run,
  scratchDir,
  startDaemon,
  stopAllDaemons,
  waitFor,
  waitForPort,
} from "./support/daemon";

const PRIMARY = "127.10.0.10";
const REPLICA = "127.10.0.11";
const RESTORE = "127.10.0.12";
const EXPORTER = "127.10.0.20";
const NEXTCLOUD_CLIENT = "127.10.0.40";
const MOODLE_CLIENTS = ["127.10.0.41", "127.10.0.42"];
const STRANGER = "127.10.0.49";
// The replica's outgoing connection to 127.10.0.10 leaves from 127.0.0.1 (the kernel's source for
// loopback routes; MariaDB cannot bind it), so that is the replica's address the primary sees here.
const REPLICA_SOURCE = "127.0.0.1";

const apps: MariaDbAppDatabase[] = [
  { database: "nextcloud", user: "nextcloud", clientHosts: [NEXTCLOUD_CLIENT] },
  { database: "moodle_site", user: "moodle", clientHosts: MOODLE_CLIENTS },
];
/** Random per run; the replication one carries every character SQL or bash could trip on. */
const pw = () => randomBytes(18).toString("base64url");
const secrets = {
  replication: `${pw()}'\\"&$ %;`,
  monitor: pw(),
  apps: { nextcloud: pw(), moodle: pw() } as Record<string, string>,
};

interface Server {
  name: string;
  address: string;
  socket: string;
  root: string;
  input: MariaDbServerInput;
  daemon?: RunningDaemon;
}

let scratch: { path: string; remove: () => void };
let servers: Record<"primary" | "replica" | "restore", Server>;
let exporter: RunningDaemon | undefined;

function sqlRoot(server: Server, sql: string): string {
  const r = run("mariadb", [`--socket=${server.socket}`, "-N", "-B", "-e", sql]);
  if (r.status !== 0) throw new Error(`${server.name}: ${sql}\n${r.output}`);
  return r.stdout.trim();
}

/**
 * The mariadb client cannot choose its source address, so a small relay process listens on each
 * client address and connects onwards from that same address: the server sees the client's address.
 */
const RELAY = `
const net = require("node:net");
for (const spec of process.argv.slice(1)) {
  const [from, listenPort, to] = spec.split(",");
  net.createServer((client) => {
    const upstream = net.connect({ host: to, port: 3306, localAddress: from });
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  }).listen(Number(listenPort), from);
}`;
const relayPort = (address: string) => 13300 + Number(address.split(".")[3]);
const relayRoutes: [string, string][] = [
  [NEXTCLOUD_CLIENT, PRIMARY],
  [NEXTCLOUD_CLIENT, REPLICA],
  ...MOODLE_CLIENTS.map((c): [string, string] => [c, PRIMARY]),
  [STRANGER, PRIMARY],
];

/** Runs SQL as an account, connecting from the address `from` (through the relay). */
function sqlAs(address: string, user: string, password: string, from: string, sql: string) {
  return run(
    "mariadb",
    [`--host=${from}`, `--port=${relayPort(address)}`, `--user=${user}`, "-N", "-B", "-e", sql],
    undefined,
    { MYSQL_PWD: password },
  );
}

function runScript(server: Server, script: string, env: Record<string, string>): string {
  const r = run("bash", ["-s"], renderPrelude(env) + script, {
    PROVISION_ROOT: server.root,
    MARIADB_CLIENT: `mariadb --socket=${server.socket}`,
    PATH: `${join(scratch.path, "bin")}:${process.env.PATH ?? ""}`,
    SYSTEMCTL_LOG: join(scratch.path, "systemctl.log"),
  });
  if (r.status !== 0) throw new Error(`script on ${server.name} failed:\n${r.output}`);
  return r.output;
}

const primaryScript = (repl = secrets.replication) => ({
  script: renderMariaDbPrimaryScript({
    server: servers.primary.input,
    replication: { replicaHosts: [REPLICA_SOURCE] },
    dump: { dumpDir: join(scratch.path, "dumps"), retentionDays: 7 },
  }),
  env: mariadbPrimarySecrets({ monitor: secrets.monitor, replication: repl }),
});
const appsScript = () => ({
  script: renderMariaDbAppsScript({ apps }),
  env: mariadbAppsSecrets(secrets.apps),
});
/** The replica's bootstrap: no secret in its prelude. */
const replicaBootstrapScript = () => renderMariaDbReplicaBootstrapScript({ server: servers.replica.input });
const replicationScript = () => ({
  script: renderMariaDbReplicationScript({ primary: { primaryHost: PRIMARY } }),
  env: mariadbReplicationSecrets(secrets.replication),
});

/** What the replica looked like after its bootstrap, which ran before anything on the primary. */
let replicaBeforeReplication: { slaveStatus: string; readOnly: string };

/**
 * Every step in an order the deploy graph allows: the replica's bootstrap first (it waits for
 * nothing but its guest, so it may finish before the primary's starts), then the primary's
 * bootstrap, the application databases, and the replica's replication step last.
 */
function provisionAll(): string {
  const p = primaryScript();
  const a = appsScript();
  const r = replicationScript();
  return [
    runScript(servers.replica, replicaBootstrapScript(), {}),
    runScript(servers.primary, p.script, p.env),
    runScript(servers.primary, a.script, a.env),
    runScript(servers.replica, r.script, r.env),
  ].join("\n");
}

async function startServer(server: Server): Promise<void> {
  const cnf = join(scratch.path, `${server.name}.cnf`);
  writeFileSync(join(scratch.path, `${server.name}-60.cnf`), renderMariaDbConfig(server.input));
  // Debian's own defaults first, as /etc/mysql/my.cnf includes them, then ours.
  writeFileSync(
    cnf,
    `!include /etc/mysql/mariadb.conf.d/50-server.cnf\n!include ${join(scratch.path, `${server.name}-60.cnf`)}\n`,
  );
  server.daemon = startDaemon(`mariadb-${server.name}`, findProgram("mariadbd"), [
    `--defaults-file=${cnf}`,
    "--user=root",
    `--socket=${server.socket}`,
    `--pid-file=${join(scratch.path, `${server.name}.pid`)}`,
  ]);
  await waitForPort(server.address, 3306, 30000).catch((e: Error) => {
    throw new Error(`${e.message}\n${server.daemon?.output()}`);
  });
}

function waitReplicaCaughtUp(): void {
  const pos = sqlRoot(servers.primary, "SELECT @@gtid_binlog_pos");
  expect(sqlRoot(servers.replica, `SELECT MASTER_GTID_WAIT('${pos}', 20)`)).toBe("0");
}

function systemctlCalls(): string[] {
  const log = join(scratch.path, "systemctl.log");
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

beforeAll(async () => {
  scratch = scratchDir("mariadb");
  const server = (name: string, address: string, serverId: number, role: "primary" | "replica"): Server => ({
    name,
    address,
    socket: join(scratch.path, `${name}.sock`),
    root: join(scratch.path, `${name}-root`),
    input: {
      serverId,
      role,
      bindAddress: address,
      memoryMb: 1024,
      dataDir: join(scratch.path, `${name}-data`),
    },
  });
  servers = {
    primary: server("primary", PRIMARY, 10, "primary"),
    replica: server("replica", REPLICA, 11, "replica"),
    restore: server("restore", RESTORE, 12, "primary"),
  };
  run("mkdir", ["-p", join(scratch.path, "bin")]);
  const shim = join(scratch.path, "bin", "systemctl");
  writeFileSync(shim, '#!/bin/sh\necho "$*" >>"$SYSTEMCTL_LOG"\nexit 0\n');
  chmodSync(shim, 0o755);
  const template = join(scratch.path, "template-data");
  const init = run(findProgram("mariadb-install-db"), [
    `--datadir=${template}`,
    "--user=root",
    "--skip-test-db",
  ]);
  if (init.status !== 0) throw new Error(init.output);
  for (const s of Object.values(servers)) run("cp", ["-a", template, s.input.dataDir!]);
  await Promise.all([startServer(servers.primary), startServer(servers.replica)]);
  startDaemon("relay", process.execPath, [
    "-e",
    RELAY,
    ...relayRoutes.map(([f, t]) => `${f},${relayPort(t)},${t}`),
  ]);
  for (const [from, to] of relayRoutes) await waitForPort(from, relayPort(to));
  runScript(servers.replica, replicaBootstrapScript(), {});
  replicaBeforeReplication = {
    slaveStatus: sqlRoot(servers.replica, "SHOW SLAVE STATUS"),
    readOnly: sqlRoot(servers.replica, "SELECT @@read_only"),
  };
  provisionAll();
}, 90000);

afterAll(async () => {
  await exporter?.stop();
  await stopAllDaemons();
  scratch?.remove();
});

test("the scripts write exactly the rendered drop-in, and it wins over Debian's defaults", () => {
  for (const s of [servers.primary, servers.replica]) {
    const written = readFileSync(join(s.root, MARIADB_CONFIG_PATH), "utf8");
    expect(written).toBe(readFileSync(join(scratch.path, `${s.name}-60.cnf`), "utf8"));
    const vars = sqlRoot(
      s,
      "SELECT CONCAT_WS(' ', @@server_id, @@bind_address, @@binlog_format, @@gtid_strict_mode, @@log_slave_updates, @@sync_binlog, @@read_only, @@relay_log_recovery, @@skip_name_resolve, @@character_set_server, @@collation_server, @@innodb_buffer_pool_size DIV 1048576, @@binlog_expire_logs_seconds, @@log_bin, @@slave_parallel_threads, @@slave_parallel_mode)",
    );
    const readOnly = s === servers.replica ? "ON" : "OFF";
    expect(vars).toBe(
      `${s.input.serverId} ${s.address} ROW ON ON 1 ${readOnly} ON ON utf8mb4 utf8mb4_unicode_ci 512 604800 ON 4 optimistic`,
    );
  }
  expect(systemctlCalls()).toContain("restart mariadb");
});

test("the replica's bootstrap needs nothing from the primary: it configures and secures, no replication yet", () => {
  expect(replicaBeforeReplication).toEqual({ slaveStatus: "", readOnly: "1" });
  expect(replicaBootstrapScript()).not.toContain(secrets.replication);
  expect(replicationScript().script).not.toContain(secrets.replication);
});

test("both servers are secured: no anonymous accounts, no remote root, no test database", () => {
  for (const s of [servers.primary, servers.replica]) {
    expect(sqlRoot(s, "SELECT COUNT(*) FROM mysql.global_priv WHERE User = ''")).toBe("0");
    expect(
      sqlRoot(s, "SELECT COUNT(*) FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost'"),
    ).toBe("0");
    expect(sqlRoot(s, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'test'")).toBe(
      "0",
    );
    expect(
      sqlRoot(s, "SELECT COUNT(*) FROM mysql.proxies_priv WHERE User = 'root' AND Host <> 'localhost'"),
    ).toBe("0");
  }
});

test("an application's writes on the primary reach the replica", () => {
  const nc = (sql: string) => sqlAs(PRIMARY, "nextcloud", secrets.apps.nextcloud, NEXTCLOUD_CLIENT, sql);
  expect(
    nc("CREATE TABLE nextcloud.files (id INT PRIMARY KEY, name VARCHAR(64)) CHARSET utf8mb4").output,
  ).toBe("");
  const values = Array.from({ length: 100 }, (_, i) => `(${i}, 'ファイル-${i}')`).join(",");
  expect(nc(`INSERT INTO nextcloud.files VALUES ${values}`).status).toBe(0);
  waitReplicaCaughtUp();
  expect(sqlRoot(servers.replica, "SELECT COUNT(*), MAX(name) FROM nextcloud.files")).toBe(
    "100\tファイル-99",
  );
});

test("the replica refuses an application's write (read_only)", () => {
  const r = sqlAs(
    REPLICA,
    "nextcloud",
    secrets.apps.nextcloud,
    NEXTCLOUD_CLIENT,
    "INSERT INTO nextcloud.files VALUES (1000, 'x')",
  );
  expect(r.status).not.toBe(0);
  expect(r.output).toMatch(/read-only/);
  expect(
    sqlAs(
      REPLICA,
      "nextcloud",
      secrets.apps.nextcloud,
      NEXTCLOUD_CLIENT,
      "SELECT COUNT(*) FROM nextcloud.files",
    ).stdout.trim(),
  ).toBe("100");
});

test("application accounts work only from their own addresses and only on their own database", () => {
  const wrongHost = sqlAs(PRIMARY, "nextcloud", secrets.apps.nextcloud, STRANGER, "SELECT 1");
  expect(wrongHost.status).not.toBe(0);
  expect(wrongHost.output).toMatch(/not allowed to connect|Access denied/);
  for (const from of MOODLE_CLIENTS) {
    expect(
      sqlAs(PRIMARY, "moodle", secrets.apps.moodle, from, "CREATE TABLE IF NOT EXISTS moodle_site.t (id INT)")
        .status,
    ).toBe(0);
  }
  const wrongPassword = sqlAs(PRIMARY, "moodle", secrets.apps.nextcloud, MOODLE_CLIENTS[0], "SELECT 1");
  expect(wrongPassword.output).toMatch(/Access denied/);
  const other = sqlAs(
    PRIMARY,
    "moodle",
    secrets.apps.moodle,
    MOODLE_CLIENTS[0],
    "SELECT COUNT(*) FROM nextcloud.files",
  );
  expect(other.output).toMatch(/denied/);
  // `_` in the grant is escaped: moodle_site's grant does not cover moodleXsite.
  const lookalike = sqlAs(
    PRIMARY,
    "moodle",
    secrets.apps.moodle,
    MOODLE_CLIENTS[0],
    "CREATE DATABASE moodleXsite",
  );
  expect(lookalike.output).toMatch(/denied/);
  const repl = sqlAs(PRIMARY, "replication", secrets.replication, STRANGER, "SELECT 1");
  expect(repl.output).toMatch(/not allowed to connect|Access denied/);
});

test("mysqld_exporter reads the replica's state with the monitoring account, which cannot write", async () => {
  const cnf = join(scratch.path, "exporter.cnf");
  writeFileSync(
    cnf,
    `[client]\nuser=exporter\npassword=${secrets.monitor}\nsocket=${servers.replica.socket}\n`,
  );
  exporter = startDaemon("mysqld-exporter", findProgram("prometheus-mysqld-exporter"), [
    `--config.my-cnf=${cnf}`,
    `--web.listen-address=${EXPORTER}:9104`,
    "--collect.slave_status",
  ]);
  await waitForPort(EXPORTER, 9104);
  let metrics = "";
  await waitFor("mysql_up 1", async () => {
    metrics = run("curl", ["-s", `http://${EXPORTER}:9104/metrics`]).stdout;
    return /^mysql_up 1$/m.test(metrics);
  });
  expect(metrics).toMatch(/^mysql_slave_status_slave_io_running\{.*\} 1$/m);
  expect(metrics).toMatch(/^mysql_slave_status_slave_sql_running\{.*\} 1$/m);
  const write = run(
    "mariadb",
    [`--socket=${servers.primary.socket}`, "--user=exporter", "-e", "CREATE DATABASE x"],
    undefined,
    {
      MYSQL_PWD: secrets.monitor,
    },
  );
  expect(write.output).toMatch(/denied/);
});

test("a second run of every script changes nothing and leaves replication running", () => {
  const state = () => ({
    grants: [servers.primary, servers.replica].map((s) =>
      // ALTER USER re-sets each password on every run; only its timestamp may move.
      sqlRoot(
        s,
        "SELECT CONCAT(User, '@', Host, ' ', JSON_REMOVE(Priv, '$.password_last_changed')) FROM mysql.global_priv ORDER BY User, Host",
      ),
    ),
    relayLog: sqlRoot(servers.replica, "SHOW SLAVE STATUS").split("\t")[7],
    files: [servers.primary, servers.replica].map((s) =>
      readFileSync(join(s.root, MARIADB_CONFIG_PATH), "utf8"),
    ),
  });
  const before = state();
  const callsBefore = systemctlCalls().length;
  const output = provisionAll();
  expect(output).toContain(`replication from ${PRIMARY}:3306 already running`);
  expect(state()).toEqual(before);
  const calls = systemctlCalls().slice(callsBefore);
  expect(calls.filter((c) => /^(restart|start|daemon-reload|enable)/.test(c))).toEqual([]);
  expect(sqlRoot(servers.replica, "SELECT COUNT(*) FROM nextcloud.files")).toBe("100");
  expect(
    sqlAs(
      PRIMARY,
      "nextcloud",
      secrets.apps.nextcloud,
      NEXTCLOUD_CLIENT,
      "INSERT INTO nextcloud.files VALUES (100, 'after')",
    ).status,
  ).toBe(0);
  waitReplicaCaughtUp();
  expect(sqlRoot(servers.replica, "SELECT name FROM nextcloud.files WHERE id = 100")).toBe("after");
});

test("rotated passwords take effect: an application's, and the replication account's", () => {
  const old = secrets.apps.nextcloud;
  secrets.apps.nextcloud = pw();
  const a = appsScript();
  runScript(servers.primary, a.script, a.env);
  expect(sqlAs(PRIMARY, "nextcloud", old, NEXTCLOUD_CLIENT, "SELECT 1").output).toMatch(/Access denied/);
  expect(sqlAs(PRIMARY, "nextcloud", secrets.apps.nextcloud, NEXTCLOUD_CLIENT, "SELECT 1").status).toBe(0);
  waitReplicaCaughtUp();
  expect(sqlAs(REPLICA, "nextcloud", secrets.apps.nextcloud, NEXTCLOUD_CLIENT, "SELECT 1").status).toBe(0);

  secrets.replication = `${pw()}\\'&"`;
  const p = primaryScript();
  runScript(servers.primary, p.script, p.env);
  const r = replicationScript();
  expect(runScript(servers.replica, r.script, r.env)).toContain(`replication from ${PRIMARY}:3306 set up`);
  expect(
    sqlAs(
      PRIMARY,
      "nextcloud",
      secrets.apps.nextcloud,
      NEXTCLOUD_CLIENT,
      "INSERT INTO nextcloud.files VALUES (101, 'rotated')",
    ).status,
  ).toBe(0);
  waitReplicaCaughtUp();
  expect(sqlRoot(servers.replica, "SELECT name FROM nextcloud.files WHERE id = 101")).toBe("rotated");
});

test("the dump job writes a consistent, restorable dump with its GTID and prunes old dumps", async () => {
  const dumps = join(scratch.path, "dumps");
  run("mkdir", ["-p", dumps]);
  const stale = join(dumps, "mariadb-20000101T000000Z.sql.gz");
  writeFileSync(stale, "");
  const eightDaysAgo = (Date.now() - 8 * 86400_000) / 1000;
  utimesSync(stale, eightDaysAgo, eightDaysAgo);
  const dump = run("bash", [join(servers.primary.root, MARIADB_DUMP_SCRIPT_PATH)], undefined, {
    MARIADB_CLIENT: `mariadb --socket=${servers.primary.socket}`,
    MARIADB_DUMP: `mariadb-dump --socket=${servers.primary.socket}`,
  });
  expect(dump.status).toBe(0);
  const files = readdirSync(dumps);
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^mariadb-\d{8}T\d{6}Z\.sql\.gz$/);
  const text = run("bash", ["-c", `gunzip -c ${join(dumps, files[0])}`]).stdout;
  const gtid = sqlRoot(servers.primary, "SELECT @@gtid_binlog_pos");
  expect(text).toContain(`-- SET GLOBAL gtid_slave_pos='${gtid}'`);
  expect(text).toMatch(/-- CHANGE MASTER TO MASTER_LOG_FILE='mariadb-bin\.\d+', MASTER_LOG_POS=\d+/);

  await startServer(servers.restore);
  const restore = run("bash", [
    "-c",
    `gunzip -c ${join(dumps, files[0])} | mariadb --socket=${servers.restore.socket}`,
  ]);
  expect(restore.output).toBe("");
  expect(sqlRoot(servers.restore, "SELECT COUNT(*), MAX(name) FROM nextcloud.files")).toBe(
    "102\tファイル-99",
  );
  expect(
    sqlRoot(
      servers.restore,
      "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'moodle_site'",
    ),
  ).toBe("1");
}, 60000);
