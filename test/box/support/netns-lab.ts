/**
 * A small network of namespaces for firewall tests: one switch namespace holding a bridge, and
 * member namespaces each with an `eth0` on that bridge and one address. Nothing has a route out of
 * the bridge, so traffic reaches only the members. Every step is bounded in time; `destroy` removes
 * every namespace (and with them their interfaces) and stops the listeners, even after a failure.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { startDaemon, waitFor, type RunningDaemon } from "../../live/support/daemon";

const STEP_TIMEOUT_MS = 10000;

function ip(args: string[]): void {
  execFileSync("ip", args, { timeout: STEP_TIMEOUT_MS, stdio: ["ignore", "pipe", "pipe"] });
}

/** Serves every port it is given: accepts and closes, so a connect tells open from closed. */
const LISTENER = `
const net = require("node:net");
const ports = process.argv.slice(1).map(Number);
let ready = 0;
for (const port of ports)
  net.createServer((c) => c.end()).listen(port, "0.0.0.0", () => {
    if (++ready === ports.length) console.log("ready");
  });
`;

/** Connects to each [address, port] at once; prints open, refused or timeout for each. */
const PROBE = `
const net = require("node:net");
const targets = JSON.parse(process.argv[1]);
const ms = Number(process.argv[2]);
const one = ([host, port]) => new Promise((done) => {
  const socket = net.connect({ host, port });
  const timer = setTimeout(() => { socket.destroy(); done("timeout"); }, ms);
  socket.on("connect", () => { clearTimeout(timer); socket.destroy(); done("open"); });
  socket.on("error", (e) => { clearTimeout(timer); done(e.code === "ECONNREFUSED" ? "refused" : e.code); });
});
Promise.all(targets.map(one)).then((r) => console.log(JSON.stringify(r)));
`;

export type ProbeResult = "open" | "refused" | "timeout" | string;

export class NetnsLab {
  private readonly namespaces: string[] = [];
  private readonly listeners: RunningDaemon[] = [];
  private readonly switchNs: string;
  private ports = 0;

  /** `prefix` keeps this lab's names apart from other tests' (use something with the pid in it). */
  constructor(private readonly prefix: string) {
    this.switchNs = `${prefix}-switch`;
    this.addNamespace(this.switchNs);
    ip(["-n", this.switchNs, "link", "add", "br0", "type", "bridge"]);
    ip(["-n", this.switchNs, "link", "set", "br0", "up"]);
  }

  private addNamespace(name: string): void {
    ip(["netns", "add", name]);
    this.namespaces.push(name);
    ip(["-n", name, "link", "set", "lo", "up"]);
  }

  /** A member namespace `<prefix>-<name>` whose eth0 carries `cidr` (address/prefix). */
  addMember(name: string, cidr: string): string {
    const ns = `${this.prefix}-${name}`;
    this.addNamespace(ns);
    const port = `p${process.pid % 100000}x${this.ports++}`;
    ip(["-n", this.switchNs, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns]);
    ip(["-n", this.switchNs, "link", "set", port, "master", "br0", "up"]);
    ip(["-n", ns, "addr", "add", cidr, "dev", "eth0"]);
    ip(["-n", ns, "link", "set", "eth0", "up"]);
    return ns;
  }

  /** Starts a listener on `ports` inside `ns` and waits until it serves all of them. */
  async listen(ns: string, ports: readonly number[]): Promise<void> {
    const daemon = startDaemon(`listener ${ns}`, "ip", [
      "netns",
      "exec",
      ns,
      process.execPath,
      "-e",
      LISTENER,
      ...ports.map(String),
    ]);
    this.listeners.push(daemon);
    await waitFor(`listener in ${ns}`, () => daemon.output().includes("ready"), STEP_TIMEOUT_MS);
  }

  /** Starts `command` inside `ns`; it is stopped by `destroy` at the latest. */
  start(ns: string, command: string, args: readonly string[]): RunningDaemon {
    const daemon = startDaemon(`${command} in ${ns}`, "ip", ["netns", "exec", ns, command, ...args]);
    this.listeners.push(daemon);
    return daemon;
  }

  /** Runs `command` inside `ns` to completion, bounded in time; throws when it fails. */
  run(ns: string, command: string, args: readonly string[]): string {
    const result = spawnSync("ip", ["netns", "exec", ns, command, ...args], {
      timeout: STEP_TIMEOUT_MS,
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`${command} in ${ns} failed: ${result.stderr || result.error}`);
    return result.stdout;
  }

  /** Connects from `ns` to every target at once, each bounded by `timeoutMs`. */
  probe(ns: string, targets: readonly [string, number][], timeoutMs = 1500): ProbeResult[] {
    const result = spawnSync(
      "ip",
      ["netns", "exec", ns, process.execPath, "-e", PROBE, JSON.stringify(targets), String(timeoutMs)],
      { timeout: timeoutMs + STEP_TIMEOUT_MS, encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(`probe from ${ns} failed: ${result.stderr || result.error}`);
    return JSON.parse(result.stdout) as ProbeResult[];
  }

  async destroy(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.stop("SIGKILL")));
    for (const ns of this.namespaces.reverse())
      spawnSync("ip", ["netns", "del", ns], { timeout: STEP_TIMEOUT_MS });
  }
}
