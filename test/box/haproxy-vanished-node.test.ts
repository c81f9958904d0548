/**
 * The rendered HAProxy config, in a network namespace, in front of two app nodes in namespaces of
 * their own: a request in flight on a node whose network vanishes (power loss, a cut cable: no FIN,
 * no RST, nothing) is replayed on the other node within the time the server-side TCP keepalives
 * promise, not after `timeout server`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderHaproxyConfig } from "../../components/web-cluster/haproxy";
import { deadPeerDetectionMs, type HaproxyConfigInput } from "../../components/web-cluster/haproxy-settings";
import { findProgram, waitFor, type RunningDaemon } from "../live/support/daemon";
import { NetnsLab } from "./support/netns-lab";

/** An app node: `/healthz` answers at once; `/slow?id=` prints `got <id>`, answers after NODE_DELAY_MS. */
const APP_NODE = `
const http = require("node:http");
const [name, address, delay] = process.argv.slice(1);
http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/healthz") return res.end("ok\\n");
  console.log("got", url.searchParams.get("id"));
  setTimeout(() => res.end(JSON.stringify({ node: name }) + "\\n"), Number(delay));
}).listen(8080, address, () => console.log("ready"));
`;

/** GETs a URL from inside the balancer's namespace; prints `<status> <ms> <body>`. */
const CLIENT = `
const http = require("node:http");
const t0 = Date.now();
http.get(process.argv[1], (res) => {
  let body = "";
  res.on("data", (c) => (body += c));
  res.on("end", () => console.log(res.statusCode, Date.now() - t0, body.trim()));
}).on("error", (e) => console.log(0, Date.now() - t0, e.code));
`;

const LB = "10.98.0.10";
const NODES = [
  { name: "a", address: "10.98.0.21", delayMs: 60_000 },
  { name: "b", address: "10.98.0.22", delayMs: 0 },
];

describe("a request in flight on an app node whose network vanishes", () => {
  const lab = new NetnsLab(`hv${process.pid % 100000}`);
  const dir = mkdtempSync(join(tmpdir(), "haproxy-vanish-"));
  const input: HaproxyConfigInput = {
    name: "app",
    label: "app",
    nodes: NODES.map((n) => ({ name: n.name, address: n.address, port: 8080 })),
    frontend: { address: LB, port: 80 },
    balance: "roundrobin",
    stats: { address: LB, port: 8404, user: "admin" },
    statsSocketPath: join(dir, "admin.sock"),
  };
  const namespaces: Record<string, string> = {};
  const nodes: Record<string, RunningDaemon> = {};

  beforeAll(async () => {
    namespaces.lb = lab.addMember("lb", `${LB}/24`);
    for (const n of NODES) {
      namespaces[n.name] = lab.addMember(n.name, `${n.address}/24`);
      const node = (nodes[n.name] = lab.start(namespaces[n.name], process.execPath, [
        "-e",
        APP_NODE,
        n.name,
        n.address,
        String(n.delayMs),
      ]));
      await waitFor(`app node ${n.name}`, () => node.output().includes("ready"), 10_000);
    }
    const cfg = join(dir, "haproxy.cfg");
    writeFileSync(cfg, renderHaproxyConfig(input).replace("@@HAPROXY_STATS_PASSWORD@@", "test"), {
      mode: 0o600,
    });
    lab.run(namespaces.lb, findProgram("haproxy"), ["-c", "-q", "-f", cfg]);
    const haproxy = lab.start(namespaces.lb, findProgram("haproxy"), ["-db", "-f", cfg]);
    await waitFor(
      "HAProxy to answer",
      () => /^200 /.test(lab.run(namespaces.lb, process.execPath, ["-e", CLIENT, `http://${LB}/healthz`])),
      10_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${haproxy.output()}`);
    });
  }, 30_000);

  afterAll(async () => {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is answered by the other node within the keepalive detection time", async () => {
    const nodeA = NODES[0];
    // Round robin: of two requests in a row, one lands on a (which holds it for a minute).
    const started = Date.now();
    const replies = ["r1", "r2"].map((id) => {
      const client = lab.start(namespaces.lb, process.execPath, ["-e", CLIENT, `http://${LB}/slow?id=${id}`]);
      return new Promise<string>((done) => client.process.once("exit", () => done(client.output())));
    });
    let onA = "";
    await waitFor(
      "a request to reach node a",
      () => (onA = nodes.a.output().match(/got (r\d)/)?.[1] ?? "") !== "",
      10_000,
    );
    // The node's network vanishes: its kernel can no longer answer anything, not even a keepalive.
    lab.run(namespaces.a, "ip", ["link", "set", "eth0", "down"]);
    const answers = await Promise.all(replies);
    const answer = answers[["r1", "r2"].indexOf(onA)];
    const [status, ms, body] = answer.trim().split(" ");
    expect({ status, body }).toEqual({ status: "200", body: JSON.stringify({ node: "b" }) });
    // Within the promise (plus a margin for the machine), far below `timeout server` (300 s).
    expect(Number(ms)).toBeLessThan(deadPeerDetectionMs(input) + 3000);
    expect(Date.now() - started).toBeLessThan(nodeA.delayMs);
  }, 40_000);
});
