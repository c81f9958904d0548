/**
 * The generic web cluster's failover on real daemons (127.21.0.0/24): HAProxy as the web cluster plans
 * it in front of three nginx + php-fpm nodes with the web cluster's rendered site, pool and health page,
 * serving a small PHP application whose sessions live in Redis under the cluster's ACL user. Proves:
 * traffic spreads, a session continues on every node, killing a node's nginx mid-load fails no request,
 * HAProxy marks it down within `detectionTime` and up again after a restart, and a node whose shared
 * files are missing leaves the rotation.
 */
import { join } from "node:path";
import { sharedMarkerFile } from "../../components/moodle/layout";
import { detectionTime, recoveryTimeMs } from "../../components/web-cluster/haproxy-settings";
import { httpRequest } from "./fixtures/moodle/http";
import { killUnderLoad } from "./fixtures/failover-load";
import {
  clusterUnderTest,
  expectOutOfRotationWithoutShared,
  marginMs,
  pollMs,
} from "./fixtures/failover-suite";
import { startWebMiniCluster, webTestAddresses } from "./fixtures/web-cluster/cluster";

const base = `http://${webTestAddresses.balancer}`;
const live = clusterUnderTest(() => startWebMiniCluster(webTestAddresses));

interface Reply {
  node: string;
  count: number;
  path: string;
  remoteAddr: string;
  https: string;
  dbUser: string;
}
const parse = (body: string) => JSON.parse(body) as Reply;

test("requests spread over the three nodes; the front controller, client address, https and environment", async () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 30; i++) {
    const res = await httpRequest(`${base}/staff/42`, { localAddress: webTestAddresses.client });
    expect(res.status).toBe(200);
    const reply = parse(res.body);
    expect(reply).toMatchObject({
      path: "/staff/42",
      remoteAddr: webTestAddresses.client,
      https: "on",
      dbUser: "web_portal",
    });
    counts.set(reply.node, (counts.get(reply.node) ?? 0) + 1);
  }
  expect([...counts.keys()].sort()).toEqual(["app1", "app2", "app3"]);
});

test("a session started on one node continues on the others (Redis, the cluster's ACL user)", async () => {
  let cookie: string | undefined;
  const nodes = new Set<string>();
  for (let i = 1; i <= 9; i++) {
    const res = await httpRequest(`${base}/`, { headers: cookie ? { cookie } : {} });
    expect(res.status).toBe(200);
    if (!cookie) cookie = String(res.headers["set-cookie"]?.[0]).split(";")[0];
    const reply = parse(res.body);
    expect(reply.count).toBe(i);
    nodes.add(reply.node);
  }
  expect(nodes.size).toBe(3);
});

test("the health page answers the balancer only; a node without its shared files leaves the rotation", async () => {
  const node = webTestAddresses.nodes[0];
  expect((await httpRequest(`http://${node.address}/healthz`)).body).toBe("ok\n");
  expect((await httpRequest(`${base}/healthz`, { localAddress: webTestAddresses.client })).status).toBe(403);
  await expectOutOfRotationWithoutShared(
    live,
    node,
    join(live.cluster.sharedDir(node.name), sharedMarkerFile),
  );
});

test("killing a node's nginx under load fails no request; DOWN within the promised time, UP after restart", async () => {
  const victim = "app2";
  const promisedMs = detectionTime(live.cluster.haproxyInput).refusedMs;
  const nodeOf = (body: string) => parse(body).node;
  const run = await killUnderLoad(live.cluster, { victim, url: `${base}/`, nodeOf, promisedMs, pollMs });
  expect(run.failures).toEqual([]);
  expect(run.completed).toBe(400);
  expect(run.downAfterMs).toBeGreaterThanOrEqual(0);
  expect(run.downAfterMs).toBeLessThanOrEqual(promisedMs + marginMs);
  for (const node of ["app1", "app3"]) expect(run.answeredBy.get(node) ?? 0).toBeGreaterThan(50);
  await live.cluster.startNginx(victim);
  const upAfterMs = await live.waitForStatus(victim, "UP", 10000);
  expect(upAfterMs).toBeLessThanOrEqual(recoveryTimeMs(live.cluster.haproxyInput) + marginMs);
}, 45000);
