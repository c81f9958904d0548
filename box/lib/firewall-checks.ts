/**
 * What the registered firewall does in the running box, judged against the program's wiring
 * (config/wiring.ts: the service graph every allow rule follows from), never against the translated
 * rulesets themselves: the database and Redis ports open exactly where a wiring edge leads to them,
 * each application's Redis user working from its own guests, the nodes' SSH and UI open to the
 * admin workstation and, through Proxmox's `local_network`, to every guest (docs/security.md), and
 * the loaded tables still in place after provisioning.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as ipaddr from "ipaddr.js";
import { moodleRedisPasswordVariable } from "../../components/moodle/config-php";
import { PORTS } from "../../config/ports";
import type { SiteConfig } from "../../config/schema";
import { opensPort, portNumbers, reachesGuest } from "../../config/service-edge";
import { siteWiring, type ServiceEdge } from "../../config/wiring";
import type { RunningBox } from "./box";
import { CheckFailed, expectThat, type Check } from "./check-kit";
import { listTable } from "./firewall";
import { inGuest } from "./guest";
import { allSources, reachFrom, type Reach, type Source, type Target } from "./reach";
import { run, sleep } from "./sh";

const inCidr = (ip: string, cidr: string) => {
  const [net, bits] = ipaddr.parseCIDR(cidr);
  const a = ipaddr.parse(ip);
  return a.kind() === net.kind() && a.match(net, bits);
};

/** The wiring edge that lets `source` open `to:port`, if any. */
export function edgeFor(
  edges: readonly ServiceEdge[],
  source: { key: string; ip: string },
  to: string,
  port: number,
): ServiceEdge | undefined {
  return edges.find(
    (e) =>
      e.protocol === "tcp" &&
      reachesGuest(e, to) &&
      opensPort(e, port) &&
      ("guest" in e.from ? e.from.guest === source.key : e.from.cidrs.some((c) => inCidr(source.ip, c))),
  );
}

/**
 * The wiring's connections to the Proxmox nodes (`host:<node>`): the scrape targets on a node from
 * the monitoring guest, and a service published from a node from the tunnel's connectors and the
 * admin networks (the same sources the wiring gives a guest's published origin).
 */
export function nodeEdges(config: SiteConfig): ServiceEdge[] {
  const wiring = siteWiring(config);
  const origins = [
    ...(config.tunnel?.connectorGuests ?? []).map((guest) => ({ guest })),
    { label: "admin", cidrs: config.network.adminCidrs },
  ];
  return [
    ...wiring.scrapeTargets
      .filter((t) => t.target.startsWith("host:") && config.monitoring)
      .map((t): ServiceEdge => ({
        from: { guest: "monitoring" },
        to: t.target,
        ports: [t.port],
        protocol: "tcp",
        purpose: `metrics (${t.job})`,
      })),
    ...wiring.published
      .filter((p) => p.target.startsWith("host:"))
      .flatMap((p) =>
        origins.map((from): ServiceEdge => ({
          from,
          to: p.target,
          ports: [Number(new URL(p.origin).port || 443)],
          protocol: "tcp",
          purpose: `origin of ${p.hostname}`,
        })),
      ),
  ];
}

function requireFirewall(box: RunningBox): void {
  expectThat(
    box.firewall !== undefined,
    "the registered firewall is not enforced in this run (--no-firewall): nothing to judge",
  );
}

/** Guests the plan registers that are not running, each with why (its step's status). */
function notRunning(box: RunningBox): string[] {
  return box.plan.guests
    .filter((g) => !box.guests.has(g.vmid))
    .map((g) => {
      const step = box.steps.find((s) => s.name === g.name);
      return `${g.name} (${step ? `its step ${step.status}${step.error ? `: ${step.error.split("\n")[0]}` : ""}` : "not started"})`;
    });
}

/** Whether something listens on `port` inside a running guest (so a closed verdict means the firewall). */
async function listens(box: RunningBox, key: string, port: number): Promise<boolean> {
  const g = box.plan.guests.find((x) => x.name === key);
  const booted = g && box.guests.get(g.vmid);
  if (!booted) return false;
  const r = await inGuest(booted, ["ss", "-Hltn", `sport = :${port}`]);
  return r.stdout.trim() !== "";
}

interface Pair {
  source: Source;
  target: Target;
  reach: Reach;
  /** Why it should be open; undefined: it should be closed. */
  expectOpen?: string;
}

/**
 * Connects from every source to every target and compares with the expectation: open where it
 * says why, closed (dropped or refused) elsewhere. Throws with every mismatch.
 */
async function reachMatrix(
  box: RunningBox,
  targets: Target[],
  expectOpen: (s: Source, t: Target) => string | undefined,
): Promise<{ pairs: Pair[]; sources: Source[] }> {
  const sources = await allSources(box);
  const pairs: Pair[] = [];
  await Promise.all(
    sources.map(async (source) => {
      const mine = targets.filter((t) => t.ip !== source.ip);
      const reached = await reachFrom(box, source, mine);
      for (const target of mine)
        pairs.push({
          source,
          target,
          reach: reached.get(`${target.ip}:${target.port}`)!,
          expectOpen: expectOpen(source, target),
        });
    }),
  );
  const wrong = pairs.filter((p) => (p.expectOpen !== undefined) !== (p.reach === "open"));
  // Both halves must have been seen: an all-closed matrix would also come from a dead service.
  const opens = pairs.filter((p) => p.expectOpen !== undefined).length;
  expectThat(
    opens > 0,
    `cannot judge the open half: no running source has a wiring edge to ${[...new Set(targets.map((t) => `${t.key}:${t.port}`))].join(", ")} (not running: ${notRunning(box).join(", ") || "none"})`,
  );
  expectThat(
    wrong.length === 0,
    `${wrong.length} of ${pairs.length} connections disagree with the wiring: ${wrong
      .map(
        (p) =>
          `${p.source.key} → ${p.target.key}:${p.target.port} ${p.reach}, expected ${p.expectOpen ? `open (${p.expectOpen})` : "closed"}`,
      )
      .join("; ")}`,
  );
  return { pairs, sources };
}

function summary(pairs: Pair[], box: RunningBox): string {
  const open = pairs.filter((p) => p.reach === "open");
  const closed = pairs.filter((p) => p.reach !== "open");
  const dropped = closed.filter((p) => p.reach === "dropped").length;
  const missing = notRunning(box);
  return (
    `${pairs.length} connections as the wiring says: open ${open
      .map((p) => `${p.source.key} → ${p.target.key}:${p.target.port}`)
      .join(
        ", ",
      )}; closed the other ${closed.length} (${dropped} dropped, ${closed.length - dropped} refused)` +
    (missing.length ? `; NOT CHECKED from or to guests not running: ${missing.join(", ")}` : "")
  );
}

/** Targets: the given guests' addresses on `port`, each listening (or the check cannot judge). */
async function listeningTargets(
  box: RunningBox,
  config: SiteConfig,
  keys: string[],
  port: number,
): Promise<Target[]> {
  const guests = siteWiring(config).guests.filter((g) => keys.includes(g.key));
  for (const g of guests)
    expectThat(
      await listens(box, g.key, port),
      `cannot judge: nothing listens on ${g.key}:${port} (not running: ${notRunning(box).join(", ") || "none"})`,
    );
  return guests.map((g) => ({ key: g.key, ip: g.ip, port }));
}

const DATABASE_GUESTS = ["database-primary", "database-replica"];

export const databasePortMatrix: Check = async (box, config) => {
  requireFirewall(box);
  const edges = siteWiring(config).edges;
  const targets = await listeningTargets(box, config, DATABASE_GUESTS, PORTS.mariadb);
  expectThat(targets.length > 0, "the site has no database guest");
  const { pairs } = await reachMatrix(box, targets, (s, t) => edgeFor(edges, s, t.key, t.port)?.purpose);
  return summary(pairs, box);
};

export const redisPortMatrix: Check = async (box, config) => {
  requireFirewall(box);
  const edges = siteWiring(config).edges;
  const targets = await listeningTargets(box, config, ["redis"], PORTS.redis);
  const { pairs } = await reachMatrix(box, targets, (s, t) => edgeFor(edges, s, t.key, t.port)?.purpose);
  return summary(pairs, box);
};

/** The value an export line of a registered stdin prelude gives `name` (the line itself, for bash). */
export function exportLine(stdin: string, name: string): string | undefined {
  return stdin.split("\n").find((l) => l.startsWith(`export ${name}=`));
}

/**
 * Each application's Redis user works from that application's guests: AUTH and PING answer
 * +OK/+PONG with the password the program hands the guest (its registered stdin), and a wrong
 * password is refused (so the AUTH could fail). School: Moodle's app nodes and its `moodle` user.
 */
export const redisServesItsApplication: Check = async (box, config) => {
  requireFirewall(box);
  const moodle = config.moodle;
  expectThat(moodle !== undefined, "the site has no Moodle: no application of the school uses Redis");
  const redisIp = siteWiring(config).guests.find((g) => g.key === "redis")?.ip;
  expectThat(redisIp !== undefined, "the site has no Redis guest");
  const appNodes = Object.values(moodle!.nodes);
  const running = appNodes.filter((n) => box.guests.has(n.vmid));
  expectThat(
    running.length > 0,
    `cannot check: no Moodle app node is running (${notRunning(box).join(", ")})`,
  );
  const wrong = randomBytes(12).toString("hex");
  const lines: string[] = [];
  for (const n of running) {
    const command = box.plan.commands.find(
      (c) => c.create === `pct exec ${n.vmid} -- bash -s` && exportLine(c.stdin, moodleRedisPasswordVariable),
    );
    expectThat(command !== undefined, `${n.hostname}: no registered command hands it the Redis password`);
    const probe = (password: string) =>
      [
        exportLine(command!.stdin, moodleRedisPasswordVariable)!,
        `exec 3<>/dev/tcp/${redisIp}/${PORTS.redis}`,
        `printf 'AUTH moodle %s\\r\\nPING\\r\\n' "${password}" >&3`,
        `read -r -t 3 a <&3; read -r -t 3 b <&3; echo "\${a%$'\\r'}|\${b%$'\\r'}"`,
        "",
      ].join("\n");
    const good = await inGuest(
      box.guests.get(n.vmid)!,
      ["bash", "-s"],
      probe(`$${moodleRedisPasswordVariable}`),
    );
    const bad = await inGuest(box.guests.get(n.vmid)!, ["bash", "-s"], probe(wrong));
    expectThat(
      good.stdout.trim() === "+OK|+PONG",
      `${n.hostname}: AUTH moodle, PING answered ${good.stdout.trim() || good.stderr.trim()}`,
    );
    expectThat(
      /^-WRONGPASS/.test(bad.stdout.trim()),
      `${n.hostname}: a wrong password was not refused: ${bad.stdout.trim() || bad.stderr.trim()}`,
    );
    lines.push(
      `${n.hostname}: +OK +PONG (a wrong password: ${bad.stdout.trim().split("|")[0].slice(0, 40)})`,
    );
  }
  const missing = appNodes.filter((n) => !box.guests.has(n.vmid)).map((n) => n.hostname);
  return lines.join("; ") + (missing.length ? `; NOT CHECKED (not running): ${missing.join(", ")}` : "");
};

/** Ports of Proxmox's management set a node opens to `management` (adminCidrs + local_network). */
const MANAGEMENT_PROBED = [22, 8006];

/** A listener on `port` in a node stand-in's namespace (pveproxy's stand-in), for `seconds` at most. */
async function standInListener(pid: number, address: string, port: number, seconds: number) {
  const child = spawn(
    "nsenter",
    [
      "-t",
      String(pid),
      "-n",
      "timeout",
      String(seconds),
      "socat",
      `TCP-LISTEN:${port},bind=${address},fork,reuseaddr`,
      "EXEC:/bin/true",
    ],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 50; i++) {
    const r = await run("nsenter", ["-t", String(pid), "-n", "ss", "-Hltn", `sport = :${port}`]);
    if (r.stdout.trim()) break;
    await sleep(100);
  }
  return () => void child.kill();
}

/**
 * The nodes' firewall: SSH and the UI port open from the admin workstation and, since Proxmox adds
 * the node's own network (`local_network`) to `management`, from every guest on the site network
 * (docs/security.md, "open point"); every other port only where a wiring edge leads (the exporters
 * from monitoring, the UI from the tunnel's balancers).
 */
export const nodeFirewall: Check = async (box, config) => {
  requireFirewall(box);
  const edges = nodeEdges(config);
  const management = [...config.network.adminCidrs, config.network.cidr];
  const ports = [...new Set([...MANAGEMENT_PROBED, ...edges.flatMap(portNumbers)])].sort((a, b) => a - b);
  const stops = await Promise.all(
    [...box.nodes.values()].map((n) => standInListener(n.guest.pid, n.spec.address, 8006, 120)),
  );
  try {
    const targets = [...box.nodes.values()].flatMap((n) =>
      ports.map((port) => ({ key: `host:${n.spec.name}`, ip: n.spec.address, port })),
    );
    const { pairs } = await reachMatrix(box, targets, (s, t) => {
      const edge = edgeFor(edges, s, t.key, t.port);
      if (edge) return edge.purpose;
      if (!MANAGEMENT_PROBED.includes(t.port)) return undefined;
      const cidr = management.find((c) => inCidr(s.ip, c));
      if (!cidr) return undefined;
      return config.network.adminCidrs.includes(cidr)
        ? "management: adminCidrs"
        : "management: local_network";
    });
    const fromGuests = pairs.filter(
      (p) => !p.source.key.startsWith("host:") && p.source.key !== "admin workstation",
    );
    const guestMgmt = fromGuests.filter((p) => MANAGEMENT_PROBED.includes(p.target.port));
    return (
      `${pairs.length} connections to ${box.nodes.size} nodes on ports ${ports.join(", ")} as expected; ` +
      `the admin workstation reaches 22 and 8006 on every node; local_network: ${guestMgmt.filter((p) => p.reach === "open").length} of ${guestMgmt.length} guest connections to 22/8006 open (every guest reaches the nodes' SSH and UI, as docs/security.md says); ` +
      `other node ports from guests: open only ${fromGuests
        .filter((p) => !MANAGEMENT_PROBED.includes(p.target.port) && p.reach === "open")
        .map((p) => `${p.source.key} → ${p.target.key}:${p.target.port}`)
        .join(", ")}`
    );
  } finally {
    for (const stop of stops) stop();
  }
};

/** No provisioning script removed or changed the loaded firewall (in the box it sits in the guest's reach). */
export const firewallStillLoaded: Check = async (box) => {
  requireFirewall(box);
  const changed: string[] = [];
  for (const t of box.firewall!.loaded.values())
    if ((await listTable(t.pid)) !== t.listing) changed.push(t.target);
  if (changed.length)
    throw new CheckFailed(`the firewall table changed or vanished in: ${changed.join(", ")}`);
  return `${box.firewall!.loaded.size} tables (every node and running guest) as loaded before the first command`;
};
