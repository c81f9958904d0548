/**
 * HAProxy in front of a web cluster's app nodes (Moodle's among them): health checks on a page with a detection time that
 * follows from the settings, retries that move to another node (L7 retries only for idempotent requests),
 * X-Forwarded-For/Proto for nodes behind Cloudflare, a stats page and a runtime socket. Pure.
 */
import {
  detectionTime,
  HaproxyConfigInput,
  haproxyStatsPasswordVariable,
  HaproxyTimeouts,
  HealthCheckSettings,
  keepAliveProbes,
  resolveHaproxySettings,
} from "./haproxy-settings";
import { Problems } from "../proxmox/problems";
import { isIpv4, isPort, isSafeName, isHostName } from "./checks";

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function validate(input: HaproxyConfigInput, check: HealthCheckSettings, timeouts: HaproxyTimeouts): void {
  const p = new Problems("moodle.haproxy");
  p.check(isSafeName(input.name ?? "moodle"), "name", input.name, "a name of letters, digits, _ . -");
  p.check(input.nodes.length > 0, "nodes", input.nodes.length, "at least one node");
  const names = new Set<string>();
  const endpoints = new Set<string>();
  for (const node of input.nodes) {
    p.check(isSafeName(node.name), `nodes.${node.name}.name`, node.name, "a name of [A-Za-z0-9_.-]");
    p.check(isIpv4(node.address), `nodes.${node.name}.address`, node.address, "an IPv4 address");
    p.check(isPort(node.port), `nodes.${node.name}.port`, node.port, "a port 1-65535");
    p.check(!names.has(node.name), `nodes.${node.name}`, node.name, "unique (duplicate name)");
    p.check(
      !endpoints.has(`${node.address}:${node.port}`),
      `nodes.${node.name}.address`,
      node.address,
      "unique",
    );
    names.add(node.name);
    endpoints.add(`${node.address}:${node.port}`);
  }
  for (const [key, bind] of [
    ["frontend", input.frontend],
    ["stats", input.stats],
  ] as const) {
    p.check(isIpv4(bind.address), `${key}.address`, bind.address, "an IPv4 address");
    p.check(isPort(bind.port), `${key}.port`, bind.port, "a port 1-65535");
  }
  if (input.vip !== undefined) p.check(isIpv4(input.vip), "vip", input.vip, "an IPv4 address");
  p.check(
    !(input.stats.address === input.frontend.address && input.stats.port === input.frontend.port),
    "stats.port",
    input.stats.port,
    "different from the frontend's port",
  );
  p.check(
    /^[A-Za-z0-9_.-]+$/.test(input.stats.user),
    "stats.user",
    input.stats.user,
    "a user of [A-Za-z0-9_.-]",
  );
  p.check(/^\/[A-Za-z0-9._~/-]*$/.test(check.uri), "healthCheck.uri", check.uri, "a path like /healthz");
  p.check(
    check.expectStatus >= 100 && check.expectStatus <= 599,
    "healthCheck.expectStatus",
    check.expectStatus,
    "an HTTP status",
  );
  if (check.host !== undefined)
    p.check(isHostName(check.host), "healthCheck.host", check.host, "a host name");
  for (const key of ["intervalMs", "fastIntervalMs", "downIntervalMs"] as const) {
    p.check(
      Number.isInteger(check[key]) && check[key] >= 100,
      `healthCheck.${key}`,
      check[key],
      "an integer ≥ 100",
    );
  }
  for (const key of ["fall", "rise", "errorLimit"] as const) {
    p.check(
      Number.isInteger(check[key]) && check[key] >= 1,
      `healthCheck.${key}`,
      check[key],
      "an integer ≥ 1",
    );
  }
  for (const [key, value] of Object.entries(timeouts)) {
    p.check(Number.isInteger(value) && value >= 100, `timeouts.${key}`, value, "an integer ≥ 100 (ms)");
  }
  const retries = input.retries ?? 3;
  p.check(Number.isInteger(retries) && retries >= 0 && retries <= 10, "retries", retries, "an integer 0-10");
  for (const key of ["maxConnPerNode", "maxConn"] as const) {
    const value = input[key];
    if (value !== undefined) p.check(Number.isInteger(value) && value >= 1, key, value, "an integer ≥ 1");
  }
  if (input.statsSocketPath !== undefined) {
    p.check(
      /^\/[A-Za-z0-9._/-]+$/.test(input.statsSocketPath),
      "statsSocketPath",
      input.statsSocketPath,
      "an absolute path",
    );
  }
  p.throwIfAny();
}

/** The whole `/etc/haproxy/haproxy.cfg`. Contains `@@HAPROXY_STATS_PASSWORD@@`. */
export function renderHaproxyConfig(input: HaproxyConfigInput): string {
  const { check, timeouts } = resolveHaproxySettings(input);
  validate(input, check, timeouts);
  const detection = detectionTime(input);
  const name = input.name ?? "moodle";
  const label = input.label ?? "Moodle";
  const httpCheck =
    check.host === undefined
      ? `http-check send meth GET uri ${check.uri}`
      : `http-check send meth GET uri ${check.uri} ver HTTP/1.1 hdr Host ${check.host}`;
  // No `on-marked-down shutdown-sessions`: a node whose guest shuts down stops listening first and
  // finishes what it serves; cutting its sessions at mark-down lost those requests (box and live test).
  const serverDefaults = [
    "check",
    `inter ${duration(check.intervalMs)}`,
    `fastinter ${duration(check.fastIntervalMs)}`,
    `downinter ${duration(check.downIntervalMs)}`,
    `fall ${check.fall}`,
    `rise ${check.rise}`,
    "observe layer7",
    `error-limit ${check.errorLimit}`,
    "on-error mark-down",
    ...(input.maxConnPerNode === undefined ? [] : [`maxconn ${input.maxConnPerNode}`]),
  ].join(" ");
  const binds = [`    bind ${input.frontend.address}:${input.frontend.port}`];
  if (input.vip !== undefined && input.vip !== input.frontend.address) {
    binds.push(`    bind ${input.vip}:${input.frontend.port}`);
  }
  const servers = [...input.nodes]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((node) => `    server ${node.name} ${node.address}:${node.port}`);
  return [
    `# HAProxy in front of the ${label} app nodes. Rendered by proxmox-sites: edits are overwritten.`,
    `# A failed node is marked down within ${detection.refusedMs} ms (daemon dead, host up)`,
    `# or ${detection.unresponsiveMs} ms (host gone); real traffic errors can mark it down sooner.`,
    "global",
    "    log /dev/log local0",
    "    chroot /var/lib/haproxy",
    `    stats socket ${input.statsSocketPath ?? "/run/haproxy/admin.sock"} mode 660 level admin expose-fd listeners`,
    "    stats timeout 30s",
    "    user haproxy",
    "    group haproxy",
    `    maxconn ${input.maxConn ?? 4096}`,
    "",
    "defaults",
    "    mode http",
    "    log global",
    "    option httplog",
    "    option dontlognull",
    `    timeout connect ${duration(timeouts.connectMs)}`,
    `    timeout client ${duration(timeouts.clientMs)}`,
    `    timeout server ${duration(timeouts.serverMs)}`,
    `    timeout http-request ${duration(timeouts.httpRequestMs)}`,
    `    timeout http-keep-alive ${duration(timeouts.httpKeepAliveMs)}`,
    `    timeout queue ${duration(timeouts.queueMs)}`,
    `    timeout check ${duration(timeouts.checkMs)}`,
    "    # A node that vanished (power loss) answers nothing, not even a FIN: its kernel's silence to",
    "    # keepalives fails the request, which is then replayed like any other failure, long before",
    "    # `timeout server`.",
    "    option srvtcpka",
    `    srvtcpka-idle ${duration(timeouts.keepAliveIdleMs)}`,
    `    srvtcpka-intvl ${duration(timeouts.keepAliveIntervalMs)}`,
    `    srvtcpka-cnt ${keepAliveProbes}`,
    "",
    `frontend ${name}`,
    ...binds,
    "    # TLS ends at Cloudflare: tell Moodle (sslproxy) the client spoke https, and who the client is.",
    "    option forwardfor",
    "    http-request set-header X-Forwarded-Proto https",
    `    default_backend ${name}_nodes`,
    "",
    `backend ${name}_nodes`,
    `    balance ${input.balance ?? "leastconn"}`,
    "    option httpchk",
    `    ${httpCheck}`,
    `    http-check expect status ${check.expectStatus}`,
    `    retries ${input.retries ?? 3}`,
    "    option redispatch 1",
    "    # Replaying a request is safe only when it is idempotent: POSTs and Moodle's sesskey actions are",
    "    # retried only when their connection failed, i.e. when the node never saw them. A 502/503 comes",
    "    # from a node whose nginx is up but whose PHP is gone (a guest shutting down): GETs go elsewhere.",
    "    retry-on conn-failure empty-response response-timeout 502 503",
    "    http-request disable-l7-retry unless METH_GET",
    "    http-request disable-l7-retry if { url_param(sesskey) -m found }",
    `    default-server ${serverDefaults}`,
    ...servers,
    "",
    "listen stats",
    `    bind ${input.stats.address}:${input.stats.port}`,
    "    stats enable",
    "    stats uri /",
    "    stats refresh 10s",
    "    stats hide-version",
    `    stats auth '${input.stats.user}:@@${haproxyStatsPasswordVariable}@@'`,
    "",
    ...(input.metrics
      ? [
          "frontend prometheus",
          `    bind ${input.metrics.address}:${input.metrics.port}`,
          "    http-request use-service prometheus-exporter if { path /metrics }",
          "    http-request deny deny_status 404",
          "    no log",
          "",
        ]
      : []),
  ].join("\n");
}
