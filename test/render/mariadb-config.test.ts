import fc from "fast-check";
import {
  MARIADB_CONFIG_PATH,
  MariaDbServerInput,
  innodbBufferPoolMb,
  renderMariaDbConfig,
} from "../../components/database/mariadb-config";
import { primary, replica } from "./fixtures/mariadb";

/** `name = value` pairs of the [mysqld] group. */
function options(text: string): Map<string, string> {
  const lines = text.split("\n").filter((l) => /^\w+\s*=/.test(l));
  return new Map(lines.map((l) => l.split("=").map((p) => p.trim()) as [string, string]));
}

/** Options MariaDB 10.6 (Ubuntu 22.04) already has; 10.11 (Debian 12) keeps them all. */
const KNOWN_IN_10_6 = new Set([
  "server_id",
  "bind_address",
  "port",
  "datadir",
  "skip_name_resolve",
  "character_set_server",
  "collation_server",
  "max_connections",
  "max_allowed_packet",
  "log_bin",
  "log_bin_index",
  "binlog_format",
  "sync_binlog",
  "expire_logs_days",
  "gtid_strict_mode",
  "log_slave_updates",
  "relay_log",
  "relay_log_index",
  "relay_log_recovery",
  "report_host",
  "slave_parallel_threads",
  "slave_parallel_mode",
  "read_only",
  "innodb_buffer_pool_size",
  "innodb_flush_log_at_trx_commit",
  "innodb_file_per_table",
]);

describe("innodbBufferPoolMb", () => {
  test.each([
    [1024, 512],
    [2048, 1024],
    [4096, 2432],
    [8192, 4864],
    [16384, 9728],
  ])("a %i MB guest gets %i MB", (memoryMb, poolMb) => expect(innodbBufferPoolMb(memoryMb)).toBe(poolMb));

  test("is a whole number of 128 MB chunks, at most 60 % of the guest, and grows with the guest", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1024, max: 1_048_576 }),
        fc.integer({ min: 0, max: 65536 }),
        (mem, more) => {
          const pool = innodbBufferPoolMb(mem);
          expect(pool % 128).toBe(0);
          expect(pool).toBeGreaterThanOrEqual(128);
          expect(pool).toBeLessThanOrEqual(mem * 0.6);
          expect(innodbBufferPoolMb(mem + more)).toBeGreaterThanOrEqual(pool);
        },
      ),
    );
  });

  test.each([512, 1023, 2048.5, Number.NaN])("rejects a %p MB guest", (memoryMb) => {
    expect(() => innodbBufferPoolMb(memoryMb)).toThrow(/memoryMb/);
  });
});

describe("renderMariaDbConfig", () => {
  test("goes after Debian's 50-server.cnf", () => {
    expect(MARIADB_CONFIG_PATH).toMatch(/^\/etc\/mysql\/mariadb\.conf\.d\/6\d-[\w-]+\.cnf$/);
  });

  test("sets the replication, durability and client settings on both roles", () => {
    for (const input of [primary, replica]) {
      const o = options(renderMariaDbConfig(input));
      expect(o.get("server_id")).toBe(String(input.serverId));
      expect(o.get("bind_address")).toBe(input.bindAddress);
      expect(o.get("binlog_format")).toBe("ROW");
      expect(o.get("gtid_strict_mode")).toBe("ON");
      expect(o.get("log_slave_updates")).toBe("ON");
      expect(o.get("sync_binlog")).toBe("1");
      expect(o.get("relay_log_recovery")).toBe("ON");
      expect(o.get("skip_name_resolve")).toBe("ON");
      expect(o.get("character_set_server")).toBe("utf8mb4");
      expect(o.get("innodb_buffer_pool_size")).toBe(`${innodbBufferPoolMb(input.memoryMb)}M`);
      expect(o.get("expire_logs_days")).toBe("7");
      expect(o.get("port")).toBe("3306");
      expect(o.get("slave_parallel_threads")).toBe("4");
      expect(o.get("slave_parallel_mode")).toBe("optimistic");
    }
  });

  test("only the replica is read-only", () => {
    expect(options(renderMariaDbConfig(primary)).get("read_only")).toBe("OFF");
    expect(options(renderMariaDbConfig(replica)).get("read_only")).toBe("ON");
  });

  test("uses only options MariaDB 10.6 knows, each once, in one [mysqld] group", () => {
    const text = renderMariaDbConfig({
      ...replica,
      binlogExpireDays: 30,
      dataDir: "/srv/db",
      port: 3307,
      parallelApplyThreads: 0,
    });
    const names = text
      .split("\n")
      .filter((l) => /^\w+\s*=/.test(l))
      .map((l) => l.split("=")[0].trim());
    expect(names.filter((n) => !KNOWN_IN_10_6.has(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
    expect(text.match(/^\[.*\]$/gm)).toEqual(["[mysqld]"]);
    expect(options(text).get("expire_logs_days")).toBe("30");
    expect(options(text).get("datadir")).toBe("/srv/db");
    expect(options(text).get("port")).toBe("3307");
    expect(options(text).get("slave_parallel_threads")).toBe("0");
  });

  test.each<[Partial<MariaDbServerInput>, RegExp]>([
    [{ serverId: 0 }, /serverId: 0/],
    [{ serverId: 2 ** 32 }, /serverId/],
    [{ bindAddress: "db.local" }, /bindAddress: "db.local"/],
    [{ bindAddress: "192.168.0.256" }, /bindAddress/],
    [{ port: 70000 }, /port: 70000/],
    [{ memoryMb: 256 }, /memoryMb: 256/],
    [{ binlogExpireDays: 0 }, /binlogExpireDays: 0/],
    [{ dataDir: "var/lib/mysql" }, /dataDir/],
    [{ parallelApplyThreads: -1 }, /parallelApplyThreads: -1/],
    [{ role: "standby" as MariaDbServerInput["role"] }, /role: "standby"/],
  ])("rejects %p", (change, message) => {
    expect(() => renderMariaDbConfig({ ...primary, ...change })).toThrow(message);
  });
});
