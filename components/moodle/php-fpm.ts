/**
 * PHP for a Moodle app node: the php-fpm pool sized from the node's memory, and the ini overrides Moodle
 * needs (max_input_vars = 5000, upload sizes, opcache). Pure.
 */
import { fpmPoolHeadLines, type PoolSizing } from "../proxmox/php-fpm-pool";
import { type MoodleLayout, Problems } from "./layout";

export type { PoolSizing };

export interface PoolSizingInput {
  /** Memory of the node, MB. */
  memoryMb: number;
  /** Memory kept for the OS, nginx and opcache, MB. Default 512 + opcache. */
  reservedMb?: number;
  /** Average resident memory of one PHP worker serving Moodle, MB. Default 80. */
  perChildMb?: number;
}

/**
 * Workers that fit into the node's memory: (memory − reserved) / per-child, at least 2. Spares are a
 * quarter and a half of that, so `min ≤ start ≤ max spare ≤ max children` always holds.
 */
export function phpFpmPoolSizing(input: PoolSizingInput, opcacheMb = 256): PoolSizing {
  const reserved = input.reservedMb ?? 512 + opcacheMb;
  const perChild = input.perChildMb ?? 80;
  const p = new Problems("moodle.phpFpm");
  p.check(
    Number.isInteger(input.memoryMb) && input.memoryMb >= 256,
    "memoryMb",
    input.memoryMb,
    "an integer ≥ 256",
  );
  p.check(Number.isInteger(reserved) && reserved >= 0, "reservedMb", reserved, "an integer ≥ 0");
  p.check(Number.isInteger(perChild) && perChild >= 16, "perChildMb", perChild, "an integer ≥ 16");
  p.throwIfAny();
  const maxChildren = Math.max(2, Math.floor((input.memoryMb - reserved) / perChild));
  const minSpareServers = Math.max(1, Math.floor(maxChildren / 4));
  const maxSpareServers = Math.max(minSpareServers, Math.floor(maxChildren / 2));
  return { maxChildren, startServers: minSpareServers, minSpareServers, maxSpareServers };
}

export interface PhpFpmPoolInput {
  sizing: PoolSizing;
  /** Requests a worker serves before it is replaced (guards against leaks). Default 500. */
  maxRequests?: number;
  /** A request running longer is killed, seconds. Default 300 (matches nginx and HAProxy). */
  requestTimeoutSeconds?: number;
  /** Unix user of the workers and the socket. Default `www-data`. */
  user?: string;
  /** Extra `php_value[...]` lines (e.g. test session handlers). */
  phpValues?: Readonly<Record<string, string>>;
  /** Environment of the workers (`env[...]`). */
  environment?: Readonly<Record<string, string>>;
  /** The resolved layout (`resolveLayout`): the pool's socket. */
  layout: MoodleLayout;
}

/** `/etc/php/<v>/fpm/pool.d/moodle.conf`. */
export function renderPhpFpmPool(input: PhpFpmPoolInput): string {
  const { layout } = input;
  const s = input.sizing;
  const user = input.user ?? "www-data";
  const p = new Problems("moodle.phpFpm");
  p.check(s.maxChildren >= 1, "sizing.maxChildren", s.maxChildren, "≥ 1");
  p.check(
    s.minSpareServers >= 1 && s.minSpareServers <= s.startServers && s.startServers <= s.maxSpareServers,
    "sizing",
    s,
    "1 ≤ minSpare ≤ start ≤ maxSpare",
  );
  p.check(s.maxSpareServers <= s.maxChildren, "sizing.maxSpareServers", s.maxSpareServers, "≤ maxChildren");
  p.check(/^[a-z_][a-z0-9_-]*$/.test(user), "user", user, "a unix user name");
  for (const key of [...Object.keys(input.phpValues ?? {}), ...Object.keys(input.environment ?? {})]) {
    p.check(/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key), "phpValues/environment", key, "a plain key");
  }
  for (const value of [...Object.values(input.phpValues ?? {}), ...Object.values(input.environment ?? {})]) {
    p.check(!/[\n"]/.test(value), "phpValues/environment", value, "a value without quotes or newlines");
  }
  p.throwIfAny();
  const lines = [
    ...fpmPoolHeadLines({
      comment: "Moodle pool. Rendered by proxmox-sites: edits are overwritten.",
      name: "moodle",
      user,
      socketPath: layout.fpmSocketPath,
      sizing: s,
      maxRequests: input.maxRequests ?? 500,
      requestTimeoutSeconds: input.requestTimeoutSeconds ?? 300,
    }),
    ...Object.entries(input.phpValues ?? {}).map(([key, value]) => `php_value[${key}] = "${value}"`),
    ...Object.entries(input.environment ?? {}).map(([key, value]) => `env[${key}] = "${value}"`),
  ];
  return `${lines.join("\n")}\n`;
}

export interface PhpIniInput {
  /** PHP `memory_limit`, MB. Default 256 (Moodle raises it itself for heavy scripts). */
  memoryLimitMb?: number;
  /** Largest upload, MB (`upload_max_filesize`; `post_max_size` gets a little more). Default 512. */
  maxUploadMb?: number;
  /** `max_execution_time`, seconds. Default 300. */
  maxExecutionSeconds?: number;
  /** opcache memory, MB. Default 256. */
  opcacheMb?: number;
}

/** `/etc/php/<v>/{fpm,cli}/conf.d/90-moodle.ini`. */
export function renderPhpIni(input: PhpIniInput = {}): string {
  const memory = input.memoryLimitMb ?? 256;
  const upload = input.maxUploadMb ?? 512;
  const execution = input.maxExecutionSeconds ?? 300;
  const opcache = input.opcacheMb ?? 256;
  const p = new Problems("moodle.phpIni");
  for (const [key, value, min] of [
    ["memoryLimitMb", memory, 128],
    ["maxUploadMb", upload, 1],
    ["maxExecutionSeconds", execution, 30],
    ["opcacheMb", opcache, 64],
  ] as const) {
    p.check(Number.isInteger(value) && value >= min, key, value, `an integer ≥ ${min}`);
  }
  p.throwIfAny();
  return [
    "; PHP settings Moodle needs. Rendered by proxmox-sites: edits are overwritten.",
    `memory_limit = ${memory}M`,
    `upload_max_filesize = ${upload}M`,
    `post_max_size = ${upload + 16}M`,
    "; Moodle refuses to install with fewer (large forms: gradebook, quiz settings).",
    "max_input_vars = 5000",
    `max_execution_time = ${execution}`,
    "file_uploads = On",
    "expose_php = Off",
    "",
    "opcache.enable = 1",
    "opcache.enable_cli = 0",
    `opcache.memory_consumption = ${opcache}`,
    "opcache.interned_strings_buffer = 16",
    "opcache.max_accelerated_files = 20000",
    "opcache.revalidate_freq = 60",
    "opcache.validate_timestamps = 1",
    "opcache.use_cwd = 1",
    "opcache.save_comments = 1",
    "opcache.enable_file_override = 0",
    "",
  ].join("\n");
}
