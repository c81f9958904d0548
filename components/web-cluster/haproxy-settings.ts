/**
 * What a web cluster's balancer is configured with (nodes, health checks, timeouts) and what those settings
 * promise: the worst-case time to mark a failed node down and to bring it back. Pure.
 */

/** One app node behind the balancer. */
export interface BackendNode {
  /** Server name, from the stack-config key (stable: never an array index). */
  name: string;
  /** IPv4 address of the node. */
  address: string;
  /** Port nginx listens on. */
  port: number;
}

/** How HAProxy decides a node is down or up again. */
export interface HealthCheckSettings {
  /** Path of the health page the nodes serve. Default `/healthz`. */
  uri: string;
  /** HTTP status that means healthy. Default 200. */
  expectStatus: number;
  /** Host header of the check (the public host name); without it the check speaks HTTP/1.0. */
  host?: string;
  /** Interval between checks of a healthy node, ms. Default 1000. */
  intervalMs: number;
  /** Interval while a node is changing state (after a first failure or success), ms. Default 500. */
  fastIntervalMs: number;
  /** Interval between checks of a node that is down, ms. Default 1000. */
  downIntervalMs: number;
  /** Consecutive failed checks that mark a node down. Default 2. */
  fall: number;
  /** Consecutive good checks that bring a node back. Default 2. */
  rise: number;
  /** Consecutive errors seen in real traffic (`observe layer7`) that mark a node down at once. Default 10. */
  errorLimit: number;
}

/** HAProxy timeouts, ms. */
export interface HaproxyTimeouts {
  /** TCP connect to a node. Default 5000. */
  connectMs: number;
  /** Client inactivity. Default 60000. */
  clientMs: number;
  /** Node inactivity while answering (long Moodle pages, backups). Default 300000. */
  serverMs: number;
  /** Time for a client to send a complete request. Default 10000. */
  httpRequestMs: number;
  /** Idle keep-alive between two requests of a client. Default 10000. */
  httpKeepAliveMs: number;
  /** Time a request may wait in the queue when every node is at maxconn. Default 30000. */
  queueMs: number;
  /** Read timeout of a health check once connected. Default 1000. */
  checkMs: number;
  /**
   * Server-side TCP keepalives: a connection to a node idle this long gets a probe, then one every
   * `keepAliveIntervalMs`; after {@link keepAliveProbes} unanswered ones the node is taken for gone.
   * Only a vanished host leaves probes unanswered (a busy node's kernel answers them), so long
   * requests are not cut. Defaults 5000 and 2000.
   */
  keepAliveIdleMs: number;
  keepAliveIntervalMs: number;
}

export interface HaproxyConfigInput {
  /**
   * Name of the frontend (backend `<name>_nodes`) and what the header comment calls the nodes. Default
   * `moodle` (the Moodle flavour's config stays as it was).
   */
  name?: string;
  /** What the nodes serve, for the header comment. Default `Moodle`. */
  label?: string;
  /** The app nodes; names and addresses must be unique. */
  nodes: readonly BackendNode[];
  /** Where the frontend listens (the balancer's own address; `0.0.0.0` for all). */
  frontend: { address: string; port: number };
  /** Floating address held by keepalived; when set the frontend also binds it. */
  vip?: string;
  healthCheck?: Partial<HealthCheckSettings>;
  timeouts?: Partial<HaproxyTimeouts>;
  /** `leastconn` (default: Moodle requests vary a lot in cost) or `roundrobin`. No stickiness: sessions live in Redis. */
  balance?: "roundrobin" | "leastconn";
  /** Attempts after a failure; with `option redispatch 1` each goes to another node. Default 3. */
  retries?: number;
  /** Concurrent requests per node (match php-fpm `pm.max_children`); more wait in HAProxy's queue. */
  maxConnPerNode?: number;
  /** Global connection limit. Default 4096. */
  maxConn?: number;
  /** Stats page; its password comes from `@@HAPROXY_STATS_PASSWORD@@` (single-quoted: any character but `'`). */
  stats: { address: string; port: number; user: string };
  /** Runtime API socket. Default `/run/haproxy/admin.sock`. */
  statsSocketPath?: string;
  /** HAProxy's built-in Prometheus exporter (`/metrics`) on this address:port, for the site's monitoring. */
  metrics?: { address: string; port: number };
}

export const defaultHealthCheck: HealthCheckSettings = {
  uri: "/healthz",
  expectStatus: 200,
  intervalMs: 1000,
  fastIntervalMs: 500,
  downIntervalMs: 1000,
  fall: 2,
  rise: 2,
  errorLimit: 10,
};

export const defaultHaproxyTimeouts: HaproxyTimeouts = {
  connectMs: 5000,
  clientMs: 60000,
  serverMs: 300000,
  httpRequestMs: 10000,
  httpKeepAliveMs: 10000,
  queueMs: 30000,
  checkMs: 1000,
  keepAliveIdleMs: 5000,
  keepAliveIntervalMs: 2000,
};

/** Unanswered keepalive probes after which a node's host is taken for gone. */
export const keepAliveProbes = 3;

/** The secret the rendered config needs, as an environment variable of the provisioning script. */
export const haproxyStatsPasswordVariable = "HAPROXY_STATS_PASSWORD";

/** Worst-case time from a node failing to HAProxy marking it DOWN, from the settings alone. */
export interface DetectionTime {
  /** The node's web server died but its host answers: every check fails at once (connection refused). */
  refusedMs: number;
  /** The host is gone or hung: every failing check runs into its timeout. */
  unresponsiveMs: number;
}

/** The health-check settings and timeouts of an input, defaults filled in. */
export function resolveHaproxySettings(input: HaproxyConfigInput): {
  check: HealthCheckSettings;
  timeouts: HaproxyTimeouts;
} {
  return {
    check: { ...defaultHealthCheck, ...input.healthCheck },
    timeouts: { ...defaultHaproxyTimeouts, ...input.timeouts },
  };
}

/**
 * Worst case until a failed node is marked DOWN. The failure can come right after a good check, so the
 * next check starts `inter` later; after the first failure HAProxy uses `fastinter` until `fall` checks
 * have failed. A check against a silent host fails only after min(timeout connect, inter) + timeout check.
 * Errors seen in real traffic (`observe layer7`, `on-error mark-down`) can only make it faster.
 */
export function detectionTime(input: HaproxyConfigInput): DetectionTime {
  const { check, timeouts } = resolveHaproxySettings(input);
  const between = check.intervalMs + (check.fall - 1) * check.fastIntervalMs;
  const checkTimeoutMs = Math.min(timeouts.connectMs, check.intervalMs) + timeouts.checkMs;
  return { refusedMs: between, unresponsiveMs: between + check.fall * checkTimeoutMs };
}

/** Worst case until a node that answers again is marked UP: one `downinter`, then `rise - 1` × `fastinter`. */
export function recoveryTimeMs(input: HaproxyConfigInput): number {
  const { check } = resolveHaproxySettings(input);
  return check.downIntervalMs + (check.rise - 1) * check.fastIntervalMs;
}

/**
 * Worst case until a request in flight on a node whose host vanished (no FIN, no RST: power loss, a
 * cut cable) fails over: the keepalives find the peer gone, and the request is replayed elsewhere.
 */
export function deadPeerDetectionMs(input: HaproxyConfigInput): number {
  const { timeouts } = resolveHaproxySettings(input);
  return timeouts.keepAliveIdleMs + keepAliveProbes * timeouts.keepAliveIntervalMs;
}
