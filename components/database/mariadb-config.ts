/**
 * The MariaDB server drop-in for a primary or an async replica. One file, loaded after Debian's
 * 50-server.cnf, so its values win. Only options MariaDB 10.6 (Ubuntu 22.04) and 10.11 (Debian 12)
 * both know. Pure: no Pulumi import.
 */
import { checkAddress, checkPort } from "./mariadb-names";

/** Where the drop-in goes inside the guest (Debian and Ubuntu read every *.cnf in this directory). */
export const MARIADB_CONFIG_PATH = "/etc/mysql/mariadb.conf.d/60-proxmox-sites.cnf";
export const MARIADB_DEFAULT_PORT = 3306;
export const MARIADB_DEFAULT_DATA_DIR = "/var/lib/mysql";
/** Smallest guest this tier accepts. */
export const MARIADB_MIN_MEMORY_MB = 1024;

export type MariaDbRole = "primary" | "replica";

export interface MariaDbServerInput {
  /** Replication server id, unique across the primary and its replicas (1 to 4294967295). */
  serverId: number;
  /** `primary` takes writes; `replica` is read-only and applies the primary's binary log. */
  role: MariaDbRole;
  /** The guest's own address; the server listens only there. */
  bindAddress: string;
  /** TCP port. Default 3306. */
  port?: number;
  /** Memory of the guest in MB (at least 1024); sizes the InnoDB buffer pool. */
  memoryMb: number;
  /** Days binary logs are kept for point-in-time recovery and for replicas to catch up. Default 7. */
  binlogExpireDays?: number;
  /** Data directory. Default /var/lib/mysql. Binary and relay logs live here too. */
  dataDir?: string;
  /** Most client connections at once (Moodle nodes, Nextcloud, Frappe workers, exporter). Default 300. */
  maxConnections?: number;
  /**
   * Threads a replica applies the primary's transactions with (optimistic parallel replication,
   * commits stay in primary order); 0 applies them one by one. Default 4. Measured in
   * docs/BENCHMARKS.md: with concurrent writers one thread falls seconds behind, four keep up.
   */
  parallelApplyThreads?: number;
}

/**
 * InnoDB buffer pool for a guest that runs nothing but MariaDB: 60 % of its memory from 4 GB up, 50 %
 * below (the server's own buffers, connections and the OS page cache need a larger share of a small
 * guest), rounded down to the 128 MB chunk InnoDB allocates in, never below 128 MB.
 * 8 GB → 4864 MB, 4 GB → 2432 MB, 2 GB → 1024 MB, 1 GB → 512 MB.
 */
export function innodbBufferPoolMb(memoryMb: number): number {
  if (!Number.isInteger(memoryMb) || memoryMb < MARIADB_MIN_MEMORY_MB) {
    throw new Error(`memoryMb: ${memoryMb} must be a whole number of at least ${MARIADB_MIN_MEMORY_MB}`);
  }
  const share = memoryMb >= 4096 ? 0.6 : 0.5;
  return Math.max(128, Math.floor((memoryMb * share) / 128) * 128);
}

function checkServer(input: MariaDbServerInput): Required<MariaDbServerInput> {
  if (!Number.isInteger(input.serverId) || input.serverId < 1 || input.serverId > 4294967295) {
    throw new Error(`serverId: ${input.serverId} must be a whole number from 1 to 4294967295`);
  }
  if (input.role !== "primary" && input.role !== "replica") {
    throw new Error(`role: "${String(input.role)}" must be primary or replica`);
  }
  const binlogExpireDays = input.binlogExpireDays ?? 7;
  if (!Number.isInteger(binlogExpireDays) || binlogExpireDays < 1 || binlogExpireDays > 99) {
    throw new Error(`binlogExpireDays: ${binlogExpireDays} must be a whole number from 1 to 99`);
  }
  const maxConnections = input.maxConnections ?? 300;
  if (!Number.isInteger(maxConnections) || maxConnections < 10 || maxConnections > 100000) {
    throw new Error(`maxConnections: ${maxConnections} must be a whole number from 10 to 100000`);
  }
  const parallelApplyThreads = input.parallelApplyThreads ?? 4;
  if (!Number.isInteger(parallelApplyThreads) || parallelApplyThreads < 0 || parallelApplyThreads > 64) {
    throw new Error(`parallelApplyThreads: ${parallelApplyThreads} must be a whole number from 0 to 64`);
  }
  const dataDir = input.dataDir ?? MARIADB_DEFAULT_DATA_DIR;
  if (!/^\/[\w./-]+$/.test(dataDir)) throw new Error(`dataDir: "${dataDir}" must be an absolute path`);
  innodbBufferPoolMb(input.memoryMb);
  return {
    serverId: input.serverId,
    role: input.role,
    bindAddress: checkAddress("bindAddress", input.bindAddress),
    port: checkPort("port", input.port ?? MARIADB_DEFAULT_PORT),
    memoryMb: input.memoryMb,
    binlogExpireDays,
    dataDir,
    maxConnections,
    parallelApplyThreads,
  };
}

/** Renders the server drop-in (`MARIADB_CONFIG_PATH`). */
export function renderMariaDbConfig(input: MariaDbServerInput): string {
  const s = checkServer(input);
  const option = (name: string, value: string | number) => `${name.padEnd(31)}= ${value}`;
  return [
    `# Rendered by proxmox-sites: MariaDB ${s.role}, server_id ${s.serverId}.`,
    "# Loaded after Debian's 50-server.cnf, so these values win.",
    "[mysqld]",
    option("server_id", s.serverId),
    option("bind_address", s.bindAddress),
    option("port", s.port),
    option("datadir", s.dataDir),
    "# Accounts are granted by client address: no DNS lookups on connect.",
    option("skip_name_resolve", "ON"),
    "# Nextcloud, Moodle and Frappe need 4-byte UTF-8; Frappe checks this exact collation.",
    option("character_set_server", "utf8mb4"),
    option("collation_server", "utf8mb4_unicode_ci"),
    option("max_connections", s.maxConnections),
    option("max_allowed_packet", "64M"),
    "",
    "# Binary log: row-based with GTIDs, flushed at every commit, kept for point-in-time recovery.",
    option("log_bin", "mariadb-bin"),
    option("log_bin_index", "mariadb-bin.index"),
    option("binlog_format", "ROW"),
    option("sync_binlog", 1),
    option("expire_logs_days", s.binlogExpireDays),
    option("gtid_strict_mode", "ON"),
    "# Replicated transactions are logged too, so a replica can be promoted or chained.",
    option("log_slave_updates", "ON"),
    "",
    "# Replication (set on both roles, so either can become the other).",
    option("relay_log", "mariadb-relay"),
    option("relay_log_index", "mariadb-relay.index"),
    "# After a crash, discard relay logs and fetch again from the saved GTID position.",
    option("relay_log_recovery", "ON"),
    option("report_host", s.bindAddress),
    "# Apply replicated transactions in parallel, committed in the primary's order.",
    option("slave_parallel_threads", s.parallelApplyThreads),
    option("slave_parallel_mode", "optimistic"),
    `# ${s.role === "replica" ? "Only replication and admin accounts write here." : "The primary takes writes."}`,
    option("read_only", s.role === "replica" ? "ON" : "OFF"),
    "",
    `# InnoDB: buffer pool sized from the guest's ${s.memoryMb} MB (50-60 %, 128 MB chunks).`,
    option("innodb_buffer_pool_size", `${innodbBufferPoolMb(s.memoryMb)}M`),
    option("innodb_flush_log_at_trx_commit", 1),
    option("innodb_file_per_table", "ON"),
    "",
  ].join("\n");
}
