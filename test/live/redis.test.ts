/**
 * The Redis tier on a real redis-server (127.11.0.12): the rendered script writes redis.conf and the
 * ACL file (hashes filled from its stdin prelude) into a scratch directory, redis-server starts with
 * exactly that redis.conf, and real clients (redis-cli, phpredis as Moodle uses it, redis_exporter)
 * prove what each user may do. systemd is not running here: a recorder stands in for `systemctl`.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  REDIS_KNOWN_CLIENT_COMMANDS,
  RedisAppUser,
  redisScriptSecrets,
} from "../../components/redis/redis-acl";
import { RedisServerInput } from "../../components/redis/redis-config";
import { renderRedisScript } from "../../components/redis/redis-script";
import { renderPrelude } from "../../components/proxmox/script";
import {
  RunningDaemon,
  findProgram,
  run,
  scratchDir,
  sleep,
  startDaemon,
  stopAllDaemons,
  waitFor,
  waitForPort,
} from "./support/daemon";

const HOST = "127.11.0.12";
const EXPORTER = "127.11.0.20";
const pw = () => randomBytes(18).toString("base64url");
const passwords = {
  admin: pw(),
  monitor: pw(),
  apps: { moodle: pw(), "nextcloud-bowbo": pw(), frappe: pw() } as Record<string, string>,
};
// Named like the site's Redis clients (stack keys); Nextcloud's keys carry the prefix "nextcloud:".
const apps: RedisAppUser[] = [
  { name: "moodle", extraCommands: ["info"] },
  { name: "nextcloud-bowbo", keyPatterns: ["nextcloud:*"], channelPatterns: ["nextcloud:*"] },
  { name: "frappe", keyPatterns: ["frappe:*", "rq:*"], extraCommands: REDIS_KNOWN_CLIENT_COMMANDS.frappe },
];

let scratch: { path: string; remove: () => void };
let server: RedisServerInput;
let configPath: string;
let redis: RunningDaemon | undefined;

function script(): string {
  return renderRedisScript({ server, acl: { apps }, configPath });
}

function provision(): string {
  const r = run("bash", ["-s"], renderPrelude(redisScriptSecrets(passwords)) + script(), {
    PATH: `${join(scratch.path, "bin")}:${process.env.PATH ?? ""}`,
    SYSTEMCTL_LOG: join(scratch.path, "systemctl.log"),
  });
  if (r.status !== 0) throw new Error(`redis script failed:\n${r.output}`);
  return r.output;
}

function systemctlCalls(): string[] {
  return readFileSync(join(scratch.path, "systemctl.log"), "utf8").split("\n").filter(Boolean);
}

/** One command as `user` (no AUTH when user is null); returns the reply text. */
function cli(user: string | null, password: string, ...args: string[]): string {
  const auth = user === null ? [] : ["--user", user, "--no-auth-warning"];
  const r = run("timeout", ["5", "redis-cli", "-h", HOST, "-p", "6379", ...auth, ...args], undefined, {
    REDISCLI_AUTH: password,
  });
  return r.output.trim();
}

async function startRedis(): Promise<void> {
  redis = startDaemon("redis", findProgram("redis-server"), [configPath]);
  await waitForPort(HOST, 6379).catch((e: Error) => {
    throw new Error(`${e.message}\n${redis?.output()}\n${readFileSync(server.logFile!, "utf8")}`);
  });
  await waitFor("AOF loaded", () => cli("admin", passwords.admin, "PING") === "PONG");
}

beforeAll(async () => {
  scratch = scratchDir("redis");
  mkdirSync(join(scratch.path, "bin"));
  mkdirSync(join(scratch.path, "data"));
  const shim = join(scratch.path, "bin", "systemctl");
  writeFileSync(shim, '#!/bin/sh\necho "$*" >>"$SYSTEMCTL_LOG"\nexit 0\n');
  chmodSync(shim, 0o755);
  server = {
    bindAddress: HOST,
    memoryMb: 4096,
    dataDir: join(scratch.path, "data"),
    logFile: join(scratch.path, "redis.log"),
    pidFile: join(scratch.path, "redis.pid"),
    aclFile: join(scratch.path, "etc", "users.acl"),
  };
  configPath = join(scratch.path, "etc", "redis.conf");
  provision();
  await startRedis();
}, 30000);

afterAll(async () => {
  await stopAllDaemons();
  scratch?.remove();
});

test("redis.conf loads without warnings of its own and sets what was rendered", () => {
  const log = readFileSync(server.logFile!, "utf8");
  expect(log).toContain("Ready to accept connections");
  expect(log).toContain("Configuration loaded");
  // Warnings about the host kernel (which every LXC guest shares) are for the Proxmox node to fix.
  const hostLevel = /overcommit_memory|Transparent Huge Pages|somaxconn|TCP backlog/;
  const warnings = log.split("\n").filter((l) => /warning|error|deprecated/i.test(l) && !hostLevel.test(l));
  expect(warnings).toEqual([]);
  const get = (name: string) => cli("admin", passwords.admin, "CONFIG", "GET", name).split("\n")[1];
  expect(get("maxmemory")).toBe(String(2048 * 1024 * 1024));
  expect(get("maxmemory-policy")).toBe("noeviction");
  expect(get("appendonly")).toBe("yes");
  expect(get("appendfsync")).toBe("everysec");
  expect(get("protected-mode")).toBe("yes");
  expect(get("bind")).toBe(HOST);
  expect(statSync(server.aclFile!).mode & 0o777).toBe(0o640);
  expect(readFileSync(server.aclFile!, "utf8")).not.toContain(passwords.apps.moodle);
});

test("the default user is off and wrong passwords are refused", () => {
  expect(cli(null, "", "PING")).toMatch(/NOAUTH/);
  expect(cli("default", "", "PING")).toMatch(/WRONGPASS|invalid/);
  expect(cli("admin", pw(), "PING")).toMatch(/WRONGPASS/);
  expect(cli("nextcloud-bowbo", passwords.apps.moodle, "PING")).toMatch(/WRONGPASS/);
  expect(cli("admin", passwords.admin, "PING")).toBe("PONG");
  expect(cli("nextcloud-bowbo", passwords.apps["nextcloud-bowbo"], "PING")).toBe("PONG");
});

test("an application user touches only its own prefix and runs no admin command", () => {
  const nc = (...args: string[]) => cli("nextcloud-bowbo", passwords.apps["nextcloud-bowbo"], ...args);
  expect(nc("SET", "nextcloud:file", "v")).toBe("OK");
  expect(nc("GET", "nextcloud:file")).toBe("v");
  expect(nc("SET", "moodle:sess:x", "v")).toMatch(/NOPERM/);
  expect(nc("GET", "other")).toMatch(/NOPERM/);
  expect(nc("EVAL", "return redis.call('GET', KEYS[1])", "1", "nextcloud:file")).toBe("v");
  expect(nc("EVAL", "return redis.call('GET', KEYS[1])", "1", "moodle:sess:x")).toMatch(/NOPERM/);
  expect(nc("PUBLISH", "nextcloud:events", "m")).toBe("0");
  expect(nc("PUBLISH", "moodle:events", "m")).toMatch(/NOPERM/);
  const refused = [
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "SET", "maxmemory", "1"],
    ["FLUSHALL"],
    ["FLUSHDB"],
    ["KEYS", "*"],
    ["SHUTDOWN", "NOSAVE"],
    ["ACL", "LIST"],
    ["MONITOR"],
    ["SCRIPT", "FLUSH"],
    ["FUNCTION", "FLUSH"],
    ["CLIENT", "KILL", "ID", "1"],
    ["SWAPDB", "0", "1"],
    ["BGSAVE"],
    ["INFO"],
  ];
  for (const command of refused)
    expect([command.join(" "), nc(...command)]).toEqual([command.join(" "), expect.stringMatching(/NOPERM/)]);
  expect(nc("DEBUG", "SLEEP", "0")).toMatch(/NOPERM|DEBUG command not allowed/);
  expect(cli("admin", passwords.admin, "DEBUG", "SLEEP", "0")).toMatch(/DEBUG command not allowed/);
});

test("the Moodle user runs INFO and works through phpredis the way Moodle connects", () => {
  expect(cli("moodle", passwords.apps.moodle, "INFO", "server")).toMatch(/redis_version:7\./);
  const php = `
    $r = new Redis();
    $r->connect(getenv("HOST"), 6379, 1);
    if (!$r->auth(["moodle", getenv("PW")])) exit(2);
    $info = $r->info();
    $r->setOption(Redis::OPT_PREFIX, "moodle:sess:");
    $r->hSet("s_1", "sessdata", "x");
    $r->expire("s_1", 60);
    echo $info["redis_version"], " ", $r->hGet("s_1", "sessdata");`;
  const r = run(findProgram("php"), ["-r", php], undefined, { HOST, PW: passwords.apps.moodle });
  expect(r.output).toMatch(/^7\.\d+\.\d+ x$/);
});

test("extra commands widen only that user: Frappe's queue may run INFO and KEYS, nothing admin", () => {
  const frappe = (...args: string[]) => cli("frappe", passwords.apps.frappe, ...args);
  expect(frappe("SET", "rq:queue:default", "1")).toBe("OK");
  expect(frappe("KEYS", "rq:*")).toBe("rq:queue:default");
  expect(frappe("INFO", "server")).toMatch(/redis_version:/);
  expect(frappe("GET", "nextcloud:file")).toMatch(/NOPERM/);
  expect(frappe("CONFIG", "GET", "maxmemory")).toMatch(/NOPERM/);
  expect(frappe("FLUSHALL")).toMatch(/NOPERM/);
});

test("redis_exporter scrapes with the monitoring user, which reads no keys", async () => {
  const exporter = startDaemon(
    "redis-exporter",
    findProgram("prometheus-redis-exporter"),
    [
      "-redis.addr",
      `redis://${HOST}:6379`,
      "-redis.user",
      "exporter",
      "-web.listen-address",
      `${EXPORTER}:9121`,
    ],
    { env: { REDIS_PASSWORD: passwords.monitor } },
  );
  await waitForPort(EXPORTER, 9121);
  const metrics = run("curl", ["-s", `http://${EXPORTER}:9121/metrics`]).stdout;
  await exporter.stop();
  expect(metrics).toMatch(/^redis_up 1$/m);
  expect(metrics).toMatch(/^redis_exporter_last_scrape_error\{err=""\} 0$/m);
  expect(metrics).toMatch(/^redis_memory_max_bytes 2\.147483648e\+09$/m);
  expect(metrics).toMatch(/^redis_config_maxclients /m);
  expect(exporter.output()).not.toMatch(/NOPERM|level=error/);
  const mon = (...args: string[]) => cli("exporter", passwords.monitor, ...args);
  expect(mon("GET", "nextcloud:file")).toMatch(/NOPERM/);
  expect(mon("CONFIG", "SET", "maxmemory", "1")).toMatch(/NOPERM/);
});

test("sessions survive a crash (AOF every second), and a full Redis refuses writes instead of evicting", async () => {
  const moodle = (...args: string[]) => cli("moodle", passwords.apps.moodle, ...args);
  expect(moodle("SET", "moodle:sess:crash", "kept", "EX", "600")).toBe("OK");
  await sleep(1500);
  await redis!.stop("SIGKILL");
  await startRedis();
  expect(moodle("GET", "moodle:sess:crash")).toBe("kept");

  const admin = (...args: string[]) => cli("admin", passwords.admin, ...args);
  const used = Number(/used_memory:(\d+)/.exec(admin("INFO", "memory"))![1]);
  expect(admin("CONFIG", "SET", "maxmemory", String(used + 200_000))).toBe("OK");
  const big = "x".repeat(100_000);
  const replies = Array.from({ length: 5 }, (_, i) => moodle("SET", `moodle:cache:${i}`, big));
  expect(replies).toContainEqual(expect.stringMatching(/OOM/));
  expect(moodle("GET", "moodle:sess:crash")).toBe("kept");
  expect(admin("CONFIG", "SET", "maxmemory", "2048mb")).toBe("OK");
});

test("a second run changes nothing; a rotated password restarts Redis and takes effect", async () => {
  const files = () => [readFileSync(configPath, "utf8"), readFileSync(server.aclFile!, "utf8")];
  const before = files();
  const callsBefore = systemctlCalls().length;
  provision();
  expect(files()).toEqual(before);
  expect(
    systemctlCalls()
      .slice(callsBefore)
      .filter((c) => /^(restart|start|enable)/.test(c)),
  ).toEqual([]);

  const old = passwords.apps.moodle;
  passwords.apps.moodle = pw();
  provision();
  expect(systemctlCalls().slice(-1)).toEqual(["restart redis-server"]);
  await redis!.stop();
  await startRedis();
  expect(cli("moodle", old, "PING")).toMatch(/WRONGPASS/);
  expect(cli("moodle", passwords.apps.moodle, "GET", "moodle:sess:crash")).toBe("kept");
}, 20000);
