/**
 * The Moodle load balancer's cost and its failover, measured on the miniature cluster of the live test.
 * Run: npx tsx bench/moodle-lb.ts   (haproxy, nginx-light, php-fpm, redis-server from .ci/install-daemons.sh)
 *
 * Starts the rendered HAProxy config in front of three nginx + php-fpm nodes (127.20.0.110 and
 * .121-.123), then, with a Node keep-alive client (16 concurrent requests, 4,000 per run):
 *  1. the same small PHP page (`node.php`) directly on one node, through HAProxy to that node alone
 *     (the others in maintenance: the balancer's own cost) and through HAProxy to all three nodes,
 *     interleaved over three rounds, reporting the median round: requests/s, p50 and p99 latency;
 *  2. a node's nginx killed (SIGKILL) a third into 6,000 requests: failed requests and the time until
 *     HAProxy marked the node DOWN, against the bound `detectionTime` promises.
 * Prints Markdown for docs/BENCHMARKS.md.
 */
import { Agent } from "node:http";
import { join } from "node:path";
import { detectionTime } from "../components/moodle/haproxy-settings";
import { sleep } from "../test/live/support/daemon";
import { benchAddresses, MiniCluster, startMiniCluster } from "../test/live/fixtures/moodle/cluster";
import { httpRequest, statsCommand } from "../test/live/fixtures/moodle/http";
import { helpRequested, parseCommandLine } from "../scripts/lib/cli";
import { runCommand } from "../scripts/lib/exit";

const CONCURRENCY = 16;
const REQUESTS = 4000;
const ROUNDS = 3;
const TIME_LIMIT_MS = 60_000;

const usage = `usage: npx tsx bench/moodle-lb.ts

Measures the rendered HAProxy in front of three nginx + php-fpm nodes on 127.20.0.0/24 (haproxy,
nginx-light, php-fpm and redis-server from .ci/install-daemons.sh): the balancer's cost and the time
to mark a killed node DOWN. Prints Markdown for docs/BENCHMARKS.md. Takes no options.
  -h, --help  print this help`;

interface LoadResult {
  requests: number;
  failures: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `total` GETs with `CONCURRENCY` in flight over keep-alive connections, bounded in time. */
async function load(url: string, total: number, onProgress?: (done: number) => void): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let started = 0;
  let failures = 0;
  const deadline = Date.now() + TIME_LIMIT_MS;
  const begin = process.hrtime.bigint();
  const worker = async () => {
    while (started < total && Date.now() < deadline) {
      started++;
      const t0 = process.hrtime.bigint();
      try {
        const res = await httpRequest(url, { agent, timeoutMs: 10000 });
        if (res.status !== 200) failures++;
      } catch {
        failures++;
      }
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      onProgress?.(latencies.length);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    failures,
    seconds,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

async function setState(cluster: MiniCluster, node: string, state: "ready" | "maint"): Promise<void> {
  await statsCommand(join(cluster.dir, "haproxy.sock"), `set server moodle_nodes/${node} state ${state}`);
}

function median(results: LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.rps - b.rps)[Math.floor(results.length / 2)];
}

async function main(): Promise<void> {
  const cluster = await startMiniCluster(benchAddresses);
  try {
    const lb = `http://${benchAddresses.balancer}/node.php`;
    const direct = `http://${benchAddresses.nodes[0].address}/node.php`;
    const others = benchAddresses.nodes.slice(1).map((n) => n.name);
    await load(lb, 500);
    await load(direct, 500);
    const rounds: Record<"direct" | "lbOne" | "lbAll", LoadResult[]> = { direct: [], lbOne: [], lbAll: [] };
    for (let round = 0; round < ROUNDS; round++) {
      rounds.direct.push(await load(direct, REQUESTS));
      for (const node of others) await setState(cluster, node, "maint");
      rounds.lbOne.push(await load(lb, REQUESTS));
      for (const node of others) await setState(cluster, node, "ready");
      rounds.lbAll.push(await load(lb, REQUESTS));
    }
    const d = median(rounds.direct);
    const one = median(rounds.lbOne);
    const all = median(rounds.lbAll);
    const row = (name: string, r: LoadResult) =>
      `| ${name} | ${r.rps.toFixed(0)} | ${r.p50Ms.toFixed(2)} ms | ${r.p99Ms.toFixed(2)} ms | ${(r.rps / d.rps).toFixed(2)} | ${r.failures} |`;
    console.log(
      `Concurrency ${CONCURRENCY}, ${REQUESTS} requests per run, median of ${ROUNDS} interleaved rounds.\n`,
    );
    console.log("| path | requests/s | p50 | p99 | req/s vs direct | failed |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    console.log(row("direct to one node (nginx + php-fpm)", d));
    console.log(row("through HAProxy, one node in service", one));
    console.log(row("through HAProxy, three nodes", all));
    console.log(
      `\nAll rounds (req/s): direct ${rounds.direct.map((r) => r.rps.toFixed(0)).join(", ")}; ` +
        `HAProxy one node ${rounds.lbOne.map((r) => r.rps.toFixed(0)).join(", ")}; ` +
        `HAProxy three nodes ${rounds.lbAll.map((r) => r.rps.toFixed(0)).join(", ")}`,
    );

    const victim = benchAddresses.nodes[1].name;
    const total = 6000;
    let killedAt = 0;
    let downAfterMs = -1;
    let watching: Promise<void> = Promise.resolve();
    const failover = await load(lb, total, (done) => {
      if (done === Math.floor(total / 3) && killedAt === 0) {
        killedAt = Date.now();
        watching = (async () => {
          while (Date.now() - killedAt < 10000) {
            if ((await cluster.serverStatus())[victim] === "DOWN") {
              downAfterMs = Date.now() - killedAt;
              return;
            }
            await sleep(10);
          }
        })();
        void cluster.killNginx(victim);
      }
    });
    await watching;
    const promise = detectionTime(cluster.haproxyInput);
    console.log(
      `\nNode loss: ${victim}'s nginx killed after ${Math.floor(total / 3)} of ${failover.requests} requests ` +
        `(${failover.rps.toFixed(0)} req/s, p99 ${failover.p99Ms.toFixed(2)} ms): ${failover.failures} failed; ` +
        `marked DOWN after ${downAfterMs} ms (promised at most ${promise.refusedMs} ms for a dead daemon, ` +
        `${promise.unresponsiveMs} ms for a silent host).`,
    );
  } finally {
    await cluster.stop();
  }
}

runCommand(async () => {
  if (helpRequested()) {
    console.log(usage);
    return 0;
  }
  parseCommandLine({ options: {} });
  await main();
  return 0;
});
