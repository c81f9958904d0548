/**
 * The rendered HAProxy config in front of three real nginx + php-fpm nodes (rendered site, pool and PHP
 * ini), PHP sessions in a password-protected redis-server, all on 127.20.0.0/24. Proves: traffic spreads,
 * a session continues on every node, killing a node's nginx mid-load fails no request, HAProxy marks it
 * down within the time `detectionTime` promises and up again after a restart, and only idempotent
 * requests are replayed on another node.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import { detectionTime, recoveryTimeMs } from "../../components/web-cluster/haproxy-settings";
import { sharedMarkerFile } from "../../components/moodle/layout";
import { waitFor } from "./support/daemon";
import { startMiniCluster, testAddresses } from "./fixtures/moodle/cluster";
import { httpRequest, statsCommand } from "./fixtures/moodle/http";
import { killUnderLoad } from "./fixtures/failover-load";
import {
  clusterUnderTest,
  expectOutOfRotationWithoutShared,
  marginMs,
  pollMs,
} from "./fixtures/failover-suite";

const base = `http://${testAddresses.balancer}`;
const live = clusterUnderTest(() => startMiniCluster(testAddresses));

function nodeOf(body: string): string {
  return (JSON.parse(body) as { node: string }).node;
}

test("requests spread over all three nodes", async () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 30; i++) {
    const res = await httpRequest(`${base}/node.php`);
    expect(res.status).toBe(200);
    const node = nodeOf(res.body);
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  expect([...counts.keys()].sort()).toEqual(["node-a", "node-b", "node-c"]);
  for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(5);
});

test("a node sees the client's address, https, Moodle's slash arguments and max_input_vars", async () => {
  const res = await httpRequest(`${base}/node.php/course/view`, { localAddress: testAddresses.client });
  expect(res.status).toBe(200);
  expect(JSON.parse(res.body)).toMatchObject({
    remoteAddr: testAddresses.client,
    proto: "https",
    pathInfo: "/course/view",
    maxInputVars: "5000",
  });
});

test("the health page answers the balancer only, and fails without the shared dataroot", async () => {
  const node = testAddresses.nodes[0];
  const direct = await httpRequest(`http://${node.address}/healthz`);
  expect(direct.status).toBe(200);
  expect(direct.body).toBe("ok\n");
  const throughBalancer = await httpRequest(`${base}/healthz`, { localAddress: testAddresses.client });
  expect(throughBalancer.status).toBe(403);
  const fromElsewhere = await httpRequest(`http://${node.address}/healthz`, {
    localAddress: testAddresses.client,
  });
  expect(fromElsewhere.status).toBe(403);

  await expectOutOfRotationWithoutShared(
    live,
    node,
    join(live.cluster.layout(node.name).dataRoot, sharedMarkerFile),
  );
});

test("hidden files and the dataroot alias are not served", async () => {
  const layout = live.cluster.layout(testAddresses.nodes[0].name);
  mkdirSync(join(layout.codeDir, "vendor"), { recursive: true });
  writeFileSync(join(layout.codeDir, "vendor", "tool.php"), "<?php echo 'ran';\n");
  writeFileSync(join(layout.codeDir, "README.txt"), "notes\n");
  const node = `http://${testAddresses.nodes[0].address}`;
  expect((await httpRequest(`${node}/vendor/tool.php`)).status).toBe(404);
  expect((await httpRequest(`${node}/vendor/tool.php/x`)).status).toBe(404);
  expect((await httpRequest(`${node}/README.txt`)).status).toBe(404);
  expect((await httpRequest(`${node}/dataroot/${sharedMarkerFile}`)).status).toBe(404);
  // A user file named like a hidden one behind a script is the script's business (slash arguments).
  expect((await httpRequest(`${node}/node.php/readme.txt`)).status).toBe(200);
});

test("a session started through one node continues on the others", async () => {
  let cookie: string | undefined;
  const nodes = new Set<string>();
  for (let i = 1; i <= 9; i++) {
    const res = await httpRequest(`${base}/session.php`, { headers: cookie ? { cookie } : {} });
    expect(res.status).toBe(200);
    const setCookie = res.headers["set-cookie"];
    if (!cookie) {
      expect(setCookie).toBeDefined();
      cookie = String(setCookie?.[0]).split(";")[0];
    }
    const body = JSON.parse(res.body) as { node: string; count: number };
    expect(body.count).toBe(i);
    nodes.add(body.node);
  }
  expect(nodes.size).toBe(3);
});

test("killing a node's nginx under load fails no request; DOWN within the promised time, UP after restart", async () => {
  const victim = "node-b";
  const promisedMs = detectionTime(live.cluster.haproxyInput).refusedMs;
  const run = await killUnderLoad(live.cluster, {
    victim,
    url: `${base}/node.php`,
    nodeOf,
    promisedMs,
    pollMs,
  });
  expect(run.failures).toEqual([]);
  expect(run.completed).toBe(400);
  expect(run.downAfterMs).toBeGreaterThanOrEqual(0);
  expect(run.downAfterMs).toBeLessThanOrEqual(promisedMs + marginMs);
  for (const node of ["node-a", "node-c"]) expect(run.answeredBy.get(node) ?? 0).toBeGreaterThan(50);

  const restartedAt = Date.now();
  await live.cluster.startNginx(victim);
  const upAfterMs = await live.waitForStatus(victim, "UP", 10000);
  expect(Date.now() - restartedAt).toBeLessThanOrEqual(
    recoveryTimeMs(live.cluster.haproxyInput) + marginMs + 1000,
  );
  expect(upAfterMs).toBeLessThanOrEqual(recoveryTimeMs(live.cluster.haproxyInput) + marginMs);
  const seen = new Set<string>();
  for (let i = 0; i < 9; i++) seen.add(nodeOf((await httpRequest(`${base}/node.php`)).body));
  expect(seen.has(victim)).toBe(true);
}, 45000);

describe("a node dying while it answers", () => {
  /**
   * Sends a slow request on a new client connection, kills the nginx that took it, and returns the reply
   * and where the request ran. (On a reused client connection HAProxy answers a request it will not
   * replay by closing the connection without a response, HTTP's signal that the client may retry; a new
   * connection gets a plain 502.)
   */
  async function killDuringRequest(method: string, query: string) {
    const id = randomBytes(6).toString("hex");
    const log = join(live.cluster.runLogDir, `${id}.log`);
    const agent = new Agent({ keepAlive: false });
    const reply = httpRequest(`${base}/slow.php?id=${id}${query}`, { method, agent, timeoutMs: 10000 }).catch(
      (err: Error) => ({ status: 0, body: err.message, headers: {} }),
    );
    await waitFor("the request to reach a node", () => existsSync(log), 5000);
    const firstNode = readFileSync(log, "utf8").trim().split("\n")[0];
    await live.cluster.killNginx(firstNode);
    const res = await reply;
    const runs = readFileSync(log, "utf8").trim().split("\n");
    await live.cluster.startNginx(firstNode);
    await live.waitForStatus(firstNode, "UP", 10000);
    return { res, runs, firstNode };
  }

  test("an idempotent GET is replayed on another node and succeeds", async () => {
    const { res, runs, firstNode } = await killDuringRequest("GET", "");
    expect(res.status).toBe(200);
    expect(runs).toHaveLength(2);
    expect(runs[1]).not.toBe(firstNode);
  }, 20000);

  test("a POST is not replayed: the client gets an error, the request ran once", async () => {
    const { res, runs } = await killDuringRequest("POST", "");
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 502 });
    expect(runs).toHaveLength(1);
  }, 20000);

  test("a GET carrying Moodle's sesskey is not replayed either", async () => {
    const { res, runs } = await killDuringRequest("GET", "&sesskey=abc123");
    expect(res.status).toBe(502);
    expect(runs).toHaveLength(1);
  }, 20000);
});

describe("a node that stops gracefully (its nginx quits, as when its guest shuts down)", () => {
  test("a request it is serving completes there: marking the node down does not cut it", async () => {
    const id = randomBytes(6).toString("hex");
    const log = join(live.cluster.runLogDir, `${id}.log`);
    const agent = new Agent({ keepAlive: false });
    // Long enough for the health checks to mark the node down while the request still runs.
    const slowMs = 4000;
    const started = Date.now();
    const reply = httpRequest(`${base}/slow.php?id=${id}&ms=${slowMs}`, { agent, timeoutMs: 15000 }).catch(
      (err: Error) => ({ status: 0, body: err.message, headers: {} }),
    );
    await waitFor("the request to reach a node", () => existsSync(log), 5000);
    const node = readFileSync(log, "utf8").trim();
    const quit = live.cluster.quitNginx(node);
    const markedDownMs = await live.waitForStatus(node, "DOWN", slowMs);
    const res = await reply;
    const tookMs = Date.now() - started;
    await quit;
    await live.cluster.startNginx(node);
    await live.waitForStatus(node, "UP", 10000);
    // The scenario happened: HAProxy marked the node down before the request's answer was due.
    expect(markedDownMs).toBeLessThan(slowMs);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
    expect(nodeOf(res.body)).toBe(node);
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([node]);
    expect(tookMs).toBeGreaterThanOrEqual(slowMs);
  }, 30000);
});

describe("a node whose php-fpm is gone (its nginx is up and answers 502, as while a guest shuts down)", () => {
  test("GETs sent before the health check marks it down are replayed on the other nodes: none fails", async () => {
    const victim = testAddresses.nodes[0].name;
    await live.cluster.killFpm(victim);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await httpRequest(`${base}/node.php`, { timeoutMs: 5000 }).catch(() => ({ status: 0 }));
      statuses.push(res.status);
    }
    // The scenario happened: at least one request reached the victim and was redispatched.
    const csv = await statsCommand(live.cluster.statsSocket, "show stat");
    const [header, ...rows] = csv.trim().split("\n");
    const columns = header.replace(/^# /, "").split(",");
    const row = rows.map((r) => r.split(",")).find((cells) => cells[1] === victim)!;
    expect(Number(row[columns.indexOf("wredis")])).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 30000);
});
