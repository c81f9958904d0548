import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { renderHaproxyConfig } from "../../components/web-cluster/haproxy";
import {
  BackendNode,
  detectionTime,
  HaproxyConfigInput,
  recoveryTimeMs,
} from "../../components/web-cluster/haproxy-settings";
import { findProgram, run, scratchDir } from "../live/support/daemon";

const nodes: BackendNode[] = [
  { name: "app2", address: "10.10.0.32", port: 80 },
  { name: "app1", address: "10.10.0.31", port: 80 },
  { name: "app3", address: "10.10.0.33", port: 80 },
];

const input: HaproxyConfigInput = {
  nodes,
  frontend: { address: "10.10.0.21", port: 80 },
  vip: "10.10.0.20",
  stats: { address: "10.10.0.21", port: 8404, user: "admin" },
  healthCheck: { host: "lms.school.example" },
};

function lines(config: string): string[] {
  return config.split("\n").map((line) => line.trim());
}

/** `haproxy -c` on a rendered config, with the placeholder filled by a random password. */
function haproxyCheck(config: string): { status: number | null; output: string } {
  const dir = scratchDir("moodle-haproxy-check");
  try {
    const path = join(dir.path, "haproxy.cfg");
    writeFileSync(path, config.replace("@@HAPROXY_STATS_PASSWORD@@", randomBytes(9).toString("base64")));
    return run(findProgram("haproxy"), ["-c", "-f", path]);
  } finally {
    dir.remove();
  }
}

describe("renderHaproxyConfig", () => {
  const config = renderHaproxyConfig(input);

  test("health checks GET the Moodle health page and expect 200, with the promised timing", () => {
    expect(lines(config)).toEqual(
      expect.arrayContaining([
        "option httpchk",
        "http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host lms.school.example",
        "http-check expect status 200",
        "default-server check inter 1s fastinter 500ms downinter 1s fall 2 rise 2 observe layer7 error-limit 10 on-error mark-down",
      ]),
    );
  });

  test("retries move to another node; L7 retries only for idempotent requests", () => {
    const l = lines(config);
    expect(l).toEqual(
      expect.arrayContaining([
        "retries 3",
        "option redispatch 1",
        "retry-on conn-failure empty-response response-timeout 502 503",
        "http-request disable-l7-retry unless METH_GET",
        "http-request disable-l7-retry if { url_param(sesskey) -m found }",
      ]),
    );
  });

  test("forwards the client and https, balances without stickiness, binds its own address and the VIP", () => {
    const l = lines(config);
    expect(l).toEqual(
      expect.arrayContaining([
        "option forwardfor",
        "http-request set-header X-Forwarded-Proto https",
        "balance leastconn",
        "bind 10.10.0.21:80",
        "bind 10.10.0.20:80",
      ]),
    );
    expect(config).not.toMatch(/cookie|stick/);
  });

  test("stats page with auth from the placeholder, and a runtime socket", () => {
    expect(lines(config)).toEqual(
      expect.arrayContaining([
        "bind 10.10.0.21:8404",
        "stats auth 'admin:@@HAPROXY_STATS_PASSWORD@@'",
        "stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners",
      ]),
    );
  });

  test("servers are named by config key and ordered by name, whatever the input order", () => {
    const servers = lines(config).filter((l) => l.startsWith("server "));
    expect(servers).toEqual([
      "server app1 10.10.0.31:80",
      "server app2 10.10.0.32:80",
      "server app3 10.10.0.33:80",
    ]);
    fc.assert(
      fc.property(fc.shuffledSubarray(nodes, { minLength: 3, maxLength: 3 }), (shuffled) => {
        expect(renderHaproxyConfig({ ...input, nodes: shuffled })).toBe(config);
      }),
    );
  });

  test("every problem of a bad input is reported at once, naming its key", () => {
    const bad: HaproxyConfigInput = {
      ...input,
      nodes: [
        { name: "app1", address: "10.10.0.31", port: 80 },
        { name: "app1", address: "10.10.0.300", port: 0 },
      ],
      healthCheck: { uri: "healthz", fall: 0 },
    };
    expect(() => renderHaproxyConfig(bad)).toThrow(
      /nodes\.app1\.address: "10\.10\.0\.300"[\s\S]*nodes\.app1\.port: 0[\s\S]*nodes\.app1: "app1" is not unique[\s\S]*healthCheck\.uri[\s\S]*healthCheck\.fall/,
    );
    expect(() => renderHaproxyConfig({ ...input, nodes: [] })).toThrow(/moodle\.haproxy\.nodes/);
  });

  test("haproxy -c accepts the rendered config, with and without VIP, for either balance", () => {
    for (const variant of [
      input,
      { ...input, vip: undefined, balance: "roundrobin" as const, maxConnPerNode: 32 },
    ]) {
      const result = haproxyCheck(renderHaproxyConfig(variant));
      expect(result.output).toContain("Configuration file is valid");
      expect(result.status).toBe(0);
    }
  });

  test("haproxy -c accepts configs for any node set and check settings", () => {
    const nodeArb = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
      address: fc
        .tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 254 }))
        .map(([a, b]) => `10.1.${a}.${b}`),
      port: fc.integer({ min: 1, max: 65535 }),
    });
    fc.assert(
      fc.property(
        fc
          .uniqueArray(nodeArb, { minLength: 1, maxLength: 6, selector: (n) => n.name })
          .filter((ns) => new Set(ns.map((n) => `${n.address}:${n.port}`)).size === ns.length),
        fc.record({
          intervalMs: fc.integer({ min: 100, max: 10000 }),
          fastIntervalMs: fc.integer({ min: 100, max: 5000 }),
          fall: fc.integer({ min: 1, max: 5 }),
          rise: fc.integer({ min: 1, max: 5 }),
        }),
        (ns, check) => {
          const result = haproxyCheck(renderHaproxyConfig({ ...input, nodes: ns, healthCheck: check }));
          expect(result.output).toContain("Configuration file is valid");
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe("detectionTime", () => {
  test("inter 1s, fastinter 500ms, fall 2: 1.5 s when the daemon dies, 5.5 s when the host is gone", () => {
    expect(detectionTime(input)).toEqual({ refusedMs: 1500, unresponsiveMs: 5500 });
    expect(recoveryTimeMs(input)).toBe(1500);
  });

  test("HAProxy's defaults (inter 2s, fall 3) give about 6 s, as the field note says", () => {
    const defaults = { ...input, healthCheck: { intervalMs: 2000, fastIntervalMs: 2000, fall: 3 } };
    expect(detectionTime(defaults).refusedMs).toBe(6000);
  });

  test("grows with every setting and never promises less for a silent host", () => {
    const settings = fc.record({
      intervalMs: fc.integer({ min: 100, max: 60000 }),
      fastIntervalMs: fc.integer({ min: 100, max: 60000 }),
      fall: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(settings, fc.integer({ min: 100, max: 30000 }), (check, checkMs) => {
        const base = detectionTime({ ...input, healthCheck: check, timeouts: { checkMs } });
        expect(base.unresponsiveMs).toBeGreaterThan(base.refusedMs);
        expect(base.refusedMs).toBeGreaterThanOrEqual(check.intervalMs);
        const after = (change: object) =>
          detectionTime({ ...input, healthCheck: { ...check, ...change }, timeouts: { checkMs } });
        // A longer interval or one more required failure always costs time; fastinter only matters when fall > 1.
        for (const t of [after({ intervalMs: check.intervalMs + 1 }), after({ fall: check.fall + 1 })]) {
          expect(t.refusedMs).toBeGreaterThan(base.refusedMs);
          expect(t.unresponsiveMs).toBeGreaterThan(base.unresponsiveMs);
        }
        const fast = after({ fastIntervalMs: check.fastIntervalMs + 1 });
        expect(fast.refusedMs - base.refusedMs).toBe(check.fall - 1);
      }),
    );
  });
});
