/**
 * The box's only way out: an apt cache (apt-cacher-ng) on the host's loopback, reachable from the
 * guests at the site's gateway address through two socat relays joined by a Unix socket. No route
 * connects the box's namespaces to the host network; only HTTP requests for packages cross, and
 * HTTPS tunnelling is refused (vendor downloads come from the box's own stand-ins).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { startDaemon, type Teardown } from "./teardown";
import { waitFor } from "./sh";

export const APT_PROXY_PORT = 3142;

/**
 * Pending connections a relay holds: socat's default (5) is below what a dozen guests' apt runs open at
 * once, and a full queue drops SYNs, which a guest sees as a connect timeout.
 */
const RELAY_BACKLOG = 128;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.on("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/**
 * A free loopback port from apt-cacher-ng's own range: it refused to bind the ephemeral ports
 * tried (above 32767: "Error resolving address for binding").
 */
async function freePort(): Promise<number> {
  for (let port = 3142; port < 3242; port++) if (await portIsFree(port)) return port;
  throw new Error("no free port for the apt cache in 3142-3241");
}

function answers(port: number): Promise<true | undefined> {
  return new Promise((done) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.on("error", () => done(undefined));
  });
}

export interface AptCache {
  /** For processes on the host (debootstrap): `http://127.0.0.1:<port>`. */
  hostUrl: string;
  /** Unix socket that relays to the cache (the box side connects here). */
  socket: string;
}

/** Starts the apt cache with its packages in `cacheDir/apt` (kept across runs). */
export async function startAptCache(teardown: Teardown, cacheDir: string, runDir: string): Promise<AptCache> {
  const port = await freePort();
  const confDir = join(runDir, "acng");
  const store = join(cacheDir, "apt");
  mkdirSync(confDir, { recursive: true });
  mkdirSync(store, { recursive: true });
  writeFileSync(
    join(confDir, "acng.conf"),
    [
      `CacheDir: ${store}`,
      `LogDir: ${confDir}`,
      "SupportDir: /usr/lib/apt-cacher-ng",
      `Port: ${port}`,
      "BindAddress: 127.0.0.1",
      // Its own control socket: the default /run/apt-cacher-ng/socket may belong to another instance.
      `SocketPath: ${join(confDir, "socket")}`,
      "ForeGround: 1",
      "ExThreshold: 4",
      // No CONNECT tunnels: HTTPS downloads cannot leave the box through the cache.
      "PassThroughPattern: ^$",
      "",
    ].join("\n"),
  );
  startDaemon(
    teardown,
    runDir,
    "apt-cacher-ng",
    "/usr/sbin/apt-cacher-ng",
    ["-c", confDir],
    join(runDir, "acng.log"),
  );
  await waitFor("the apt cache to listen", () => answers(port), 20_000);
  const socket = join(runDir, "apt.sock");
  startDaemon(
    teardown,
    runDir,
    "apt-relay-host",
    "/usr/bin/socat",
    [`UNIX-LISTEN:${socket},fork,unlink-early,backlog=${RELAY_BACKLOG}`, `TCP:127.0.0.1:${port}`],
    join(runDir, "apt-relay-host.log"),
  );
  return { hostUrl: `http://127.0.0.1:${port}`, socket };
}

/** Serves the apt cache at `address:3142` inside namespace `netns` (the site's gateway). */
export function exposeAptCache(
  teardown: Teardown,
  runDir: string,
  cache: AptCache,
  netns: string,
  address: string,
) {
  startDaemon(
    teardown,
    runDir,
    `apt-relay-${netns}`,
    "/usr/sbin/ip",
    [
      "netns",
      "exec",
      netns,
      "/usr/bin/socat",
      `TCP-LISTEN:${APT_PROXY_PORT},bind=${address},fork,reuseaddr,backlog=${RELAY_BACKLOG}`,
      `UNIX-CONNECT:${cache.socket}`,
    ],
    join(runDir, `apt-relay-${netns}.log`),
    "/usr/bin/socat",
  );
}

/**
 * apt configuration a guest gets so its package installs go through the box's cache. apt sends
 * https through the http proxy too (which refuses tunnels): the box's own mirror, an https
 * repository at `mirrorAddress` (a vendor's APT repository stand-in), is reached directly.
 */
export function aptProxyConf(gateway: string, mirrorAddress?: string): string {
  return [
    "// Written by the box: the guest's only path to Debian's mirror.",
    `Acquire::http::Proxy "http://${gateway}:${APT_PROXY_PORT}";`,
    // The relay to the cache stands in for the internet; on a loaded 2-core machine a connection to it
    // has timed out (one download in one run), so apt retries as a flaky network would need.
    'Acquire::Retries "5";',
    ...(mirrorAddress ? [`Acquire::https::Proxy::${mirrorAddress} "DIRECT";`] : []),
    "",
  ].join("\n");
}

/** Whether a step's error output is apt failing on the box's apt path. */
export function isAptPathFailure(stderr: string): boolean {
  return new RegExp(`:${APT_PROXY_PORT}\\b`).test(stderr);
}

/**
 * Runs a guest command, and once more when its first run failed on the box's apt path: the box's
 * relay to the package cache has dropped connections in about one run in five (cause not found;
 * docs/box.md), which is the box's stand-in network failing, not the script. The scripts are
 * idempotent (the second-run check proves it). Any other failure, or a second one, stands.
 */
export async function onceMoreOnAptPathFailure<R extends { code: number | null; stderr: string }>(
  runOnce: () => Promise<R>,
  onRetry: (first: R) => void,
): Promise<R> {
  const first = await runOnce();
  if (first.code === 0 || !isAptPathFailure(first.stderr)) return first;
  onRetry(first);
  return runOnce();
}

/**
 * The last lines the apt cache and its relays logged, for a step that failed on the apt path: what
 * CI keeps of a run is its output, not the run directory.
 */
export function aptPathEvidence(runDir: string, lines = 8): string {
  const logs = ["acng/apt-cacher.err", "acng.log", "apt-relay-host.log", ...relayLogsIn(runDir)];
  return logs
    .filter((name) => existsSync(join(runDir, name)))
    .map((name) => {
      const text = readFileSync(join(runDir, name), "utf8").trimEnd();
      return `${name}: ${text ? text.split("\n").slice(-lines).join(" | ") : "(empty)"}`;
    })
    .join("\n    ");
}

function relayLogsIn(runDir: string): string[] {
  return existsSync(runDir)
    ? readdirSync(runDir).filter((f) => f.startsWith("apt-relay-") && f !== "apt-relay-host.log")
    : [];
}
