/**
 * Replication lag of the rendered MariaDB primary + replica under a write burst.
 * Run: npx tsx bench/replication-lag.ts [--apply-threads N]   (mariadb-server from .ci/install-daemons.sh)
 * `--apply-threads` sets the replica's parallelApplyThreads (default: the renderer's default, 4).
 *
 * Starts a primary (127.10.0.100) and a replica (127.10.0.101) from the rendered drop-ins, provisions
 * them with the rendered scripts, then for each scenario writes 10,000 rows on the primary and
 * records (a) the largest Seconds_Behind_Master polled on the replica every 50 ms and (b) how long
 * the replica needs, after the burst ends, to hold every row: MASTER_GTID_WAIT on the primary's
 * gtid_binlog_pos. Prints a Markdown table for docs/BENCHMARKS.md.
 */
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { MariaDbServerInput, renderMariaDbConfig } from "../components/database/mariadb-config";
import {
  mariadbReplicationSecrets,
  renderMariaDbReplicationScript,
} from "../components/database/mariadb-replication";
import {
  mariadbPrimarySecrets,
  renderMariaDbPrimaryScript,
  renderMariaDbReplicaBootstrapScript,
} from "../components/database/mariadb-scripts";
import { renderPrelude } from "../components/proxmox/script";
import {
  findProgram,
  run,
  scratchDir,
  startDaemon,
  stopAllDaemons,
  waitForPort,
} from "../test/live/support/daemon";
import { helpRequested, parseCommandLine, wholeNumberOption } from "../scripts/lib/cli";
import { runCommand } from "../scripts/lib/exit";

const ROWS = 10_000;
const PRIMARY = "127.10.0.100";
const REPLICA = "127.10.0.101";
const execFileAsync = promisify(execFile);

const usage = `usage: npx tsx bench/replication-lag.ts [--apply-threads N]

Replication lag of the rendered MariaDB primary + replica (127.10.0.100/.101, mariadb-server from
.ci/install-daemons.sh) under write bursts of ${ROWS} rows. Prints Markdown for docs/BENCHMARKS.md.
  --apply-threads N  the replica's parallelApplyThreads, 0 to 64 (default: the renderer's, 4)
  -h, --help         print this help`;

interface Scenario {
  name: string;
  clients: number;
  rowsPerTransaction: number;
}

const scenarios: Scenario[] = [
  { name: "single-row transactions, 1 client", clients: 1, rowsPerTransaction: 1 },
  { name: "single-row transactions, 8 clients", clients: 8, rowsPerTransaction: 1 },
  { name: "100-row transactions, 4 clients", clients: 4, rowsPerTransaction: 100 },
];

async function sql(socket: string, query: string): Promise<string> {
  const { stdout } = await execFileAsync("mariadb", [`--socket=${socket}`, "-N", "-B", "-e", query]);
  return stdout.trim();
}

/** Seconds_Behind_Master of the replica (null when the server reports NULL). */
async function secondsBehind(socket: string): Promise<number | null> {
  const { stdout } = await execFileAsync("mariadb", [`--socket=${socket}`, "-e", "SHOW SLAVE STATUS\\G"]);
  const m = /Seconds_Behind_Master: (\S+)/.exec(stdout);
  if (!m) throw new Error(`no Seconds_Behind_Master in:\n${stdout}`);
  return m[1] === "NULL" ? null : Number(m[1]);
}

/** Feeds SQL to one client on stdin; resolves when it has committed everything. */
function writer(socket: string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("mariadb", [`--socket=${socket}`, "bench"], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(err))));
    child.stdin.end(text);
  });
}

function burst(scenario: Scenario, offset: number): string[] {
  const perClient = ROWS / scenario.clients;
  return Array.from({ length: scenario.clients }, (_, c) => {
    const lines: string[] = [];
    for (let i = 0; i < perClient; i += scenario.rowsPerTransaction) {
      const ids = Array.from(
        { length: scenario.rowsPerTransaction },
        (_, k) => offset + c * perClient + i + k,
      );
      const values = ids.map((id) => `(${id}, REPEAT('x', 200))`).join(",");
      lines.push(
        scenario.rowsPerTransaction === 1
          ? `INSERT INTO t VALUES ${values};`
          : `BEGIN; INSERT INTO t VALUES ${values}; COMMIT;`,
      );
    }
    return `${lines.join("\n")}\n`;
  });
}

async function measure(sockets: { primary: string; replica: string }, scenario: Scenario, offset: number) {
  let maxBehind = 0;
  let polls = 0;
  let done = false;
  const poll = (async () => {
    while (!done) {
      const behind = await secondsBehind(sockets.replica);
      if (behind !== null) maxBehind = Math.max(maxBehind, behind);
      polls++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const start = process.hrtime.bigint();
  await Promise.all(burst(scenario, offset).map((text) => writer(sockets.primary, text)));
  const written = process.hrtime.bigint();
  const pos = await sql(sockets.primary, "SELECT @@gtid_binlog_pos");
  const waited = await sql(sockets.replica, `SELECT MASTER_GTID_WAIT('${pos}', 300)`);
  const caughtUp = process.hrtime.bigint();
  done = true;
  await poll;
  if (waited !== "0") throw new Error(`replica did not reach ${pos}`);
  const rows = Number(await sql(sockets.replica, `SELECT COUNT(*) FROM bench.t WHERE id >= ${offset}`));
  if (rows !== ROWS) throw new Error(`replica has ${rows} of ${ROWS} rows`);
  const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
  return {
    writeMs: ms(start, written),
    catchUpMs: ms(written, caughtUp),
    totalMs: ms(start, caughtUp),
    maxBehind,
    polls,
  };
}

async function main(applyThreads: number | undefined): Promise<void> {
  const scratch = scratchDir("replication-lag");
  try {
    const bin = join(scratch.path, "bin");
    run("mkdir", ["-p", bin]);
    writeFileSync(join(bin, "systemctl"), "#!/bin/sh\nexit 0\n");
    chmodSync(join(bin, "systemctl"), 0o755);
    const template = join(scratch.path, "template");
    const init = run(findProgram("mariadb-install-db"), [
      `--datadir=${template}`,
      "--user=root",
      "--skip-test-db",
    ]);
    if (init.status !== 0) throw new Error(init.output);
    const input = (serverId: number, role: "primary" | "replica", address: string): MariaDbServerInput => ({
      serverId,
      role,
      bindAddress: address,
      memoryMb: 2048,
      dataDir: join(scratch.path, `${role}-data`),
      parallelApplyThreads: applyThreads,
    });
    const servers = { primary: input(100, "primary", PRIMARY), replica: input(101, "replica", REPLICA) };
    const sockets = {
      primary: join(scratch.path, "primary.sock"),
      replica: join(scratch.path, "replica.sock"),
    };
    for (const role of ["primary", "replica"] as const) {
      run("cp", ["-a", template, servers[role].dataDir!]);
      const cnf = join(scratch.path, `${role}.cnf`);
      writeFileSync(cnf, renderMariaDbConfig(servers[role]));
      startDaemon(role, findProgram("mariadbd"), [
        `--defaults-file=${cnf}`,
        "--user=root",
        `--socket=${sockets[role]}`,
        `--pid-file=${join(scratch.path, `${role}.pid`)}`,
      ]);
      await waitForPort(servers[role].bindAddress, 3306, 30000);
    }
    const password = randomBytes(18).toString("base64url");
    const env = (socket: string) => ({
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      PROVISION_ROOT: scratch.path,
      MARIADB_CLIENT: `mariadb --socket=${socket}`,
    });
    const primaryScript = renderMariaDbPrimaryScript({
      server: servers.primary,
      replication: { replicaHosts: ["127.0.0.1"] },
      dump: { dumpDir: join(scratch.path, "dumps") },
    });
    // The site's order: both bootstraps, then the replica's replication step.
    for (const [script, secrets, socket] of [
      [renderMariaDbReplicaBootstrapScript({ server: servers.replica }), {}, sockets.replica],
      [primaryScript, mariadbPrimarySecrets({ monitor: password, replication: password }), sockets.primary],
      [
        renderMariaDbReplicationScript({ primary: { primaryHost: PRIMARY } }),
        mariadbReplicationSecrets(password),
        sockets.replica,
      ],
    ] as const) {
      const r = run("bash", ["-s"], renderPrelude(secrets) + script, env(socket));
      if (r.status !== 0) throw new Error(r.output);
    }
    await sql(
      sockets.primary,
      "CREATE DATABASE bench; CREATE TABLE bench.t (id INT PRIMARY KEY, payload VARCHAR(255)) ENGINE=InnoDB",
    );
    const version = await sql(sockets.primary, "SELECT VERSION()");
    const threads = await sql(sockets.replica, "SELECT @@slave_parallel_threads");
    const rows: string[] = [];
    let offset = 0;
    for (const scenario of scenarios) {
      const r = await measure(sockets, scenario, offset);
      offset += ROWS;
      const rate = Math.round(ROWS / (r.writeMs / 1000));
      rows.push(
        `| ${scenario.name} | ${(r.writeMs / 1000).toFixed(2)} s (${rate} rows/s) | ${r.maxBehind} s (${r.polls} polls) | ${r.catchUpMs.toFixed(0)} ms | ${(r.totalMs / 1000).toFixed(2)} s |`,
      );
    }
    console.log(
      `MariaDB ${version}, ${ROWS} rows per scenario, sync_binlog=1, innodb_flush_log_at_trx_commit=1, replica slave_parallel_threads=${threads}\n`,
    );
    console.log(
      "| burst | write time on the primary | max Seconds_Behind_Master | replica complete after burst end (MASTER_GTID_WAIT) | burst start to replica complete |",
    );
    console.log("|---|---|---|---|---|");
    for (const row of rows) console.log(row);
  } finally {
    await stopAllDaemons();
    scratch.remove();
  }
}

runCommand(async () => {
  if (helpRequested()) {
    console.log(usage);
    return 0;
  }
  const { values } = parseCommandLine({ options: { "apply-threads": { type: "string" } } });
  const threads = values["apply-threads"];
  await main(threads === undefined ? undefined : wholeNumberOption("--apply-threads", threads, 0, 64));
  return 0;
});
