/**
 * What the box proves about a running site (school first): the site answers through the floating
 * address, survives its MASTER balancer and an app node, keeps sessions, replicates, shares files,
 * is monitored, and a second run of every script changes nothing. Each check returns a verdict and
 * the evidence; all waits and loops are bounded. Checks that stop guests run last.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { defaultHaproxyTimeouts } from "../../components/web-cluster/haproxy-settings";
import type { SiteConfig } from "../../config/schema";
import { siteWiring } from "../../config/wiring";
import type { RunningBox } from "./box";
import { CheckFailed, expectThat, type Check, type CheckResult } from "./check-kit";
import {
  databasePortMatrix,
  firewallStillLoaded,
  nodeFirewall,
  redisPortMatrix,
  redisServesItsApplication,
} from "./firewall-checks";
import { inGuest, stopGuest, type BootedGuest } from "./guest";
import { nfsServesTheNodesOnly } from "./nfs-check";
import { run, sleep, type RunResult } from "./sh";

export type { CheckResult } from "./check-kit";

function fromClient(box: RunningBox, args: string[], timeoutMs = 15_000): Promise<RunResult> {
  return run("ip", ["netns", "exec", box.clientNetns, ...args], { timeoutMs });
}

function guestByHostname(box: RunningBox, hostname: string): BootedGuest {
  const g = [...box.guests.values()].find((x) => x.spec.hostname === hostname);
  if (!g) throw new CheckFailed(`guest ${hostname} is not running in the box`);
  return g;
}

/** One HTTP GET of the site through `address` with the public host name; status and body. */
async function getSite(
  box: RunningBox,
  config: SiteConfig,
  address: string,
  path = "/",
  jar?: string,
  timeoutSeconds = 5,
) {
  const host = config.moodle!.publicHostname;
  const args = [
    "curl",
    "-s",
    "-m",
    String(timeoutSeconds),
    "-o",
    "-",
    "-w",
    "\n%{http_code}",
    "-H",
    `Host: ${host}`,
  ];
  if (jar) args.push("-b", jar, "-c", jar);
  const r = await fromClient(box, [...args, `http://${address}${path}`]);
  const lines = r.stdout.trimEnd().split("\n");
  return { status: Number(lines.pop()), body: lines.join("\n") };
}

async function vipHolder(box: RunningBox, config: SiteConfig): Promise<BootedGuest | undefined> {
  for (const lb of Object.values(config.moodle!.loadBalancers)) {
    const g = box.guests.get(lb.vmid);
    if (!g) continue;
    const r = await inGuest(g, ["ip", "-4", "-o", "addr", "show", "dev", "eth0"]);
    if (r.stdout.includes(` ${config.moodle!.vip}/`)) return g;
  }
  return undefined;
}

async function until<T>(timeoutMs: number, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined) return v;
    await sleep(500);
  }
  return undefined;
}

const siteAnswers: Check = async (box, config) => {
  const vip = config.moodle!.vip!;
  const r = await until(60_000, async () => {
    const a = await getSite(box, config, vip);
    return a.status === 200 ? a : undefined;
  });
  const last = r ?? (await getSite(box, config, vip));
  expectThat(last.status === 200, `GET http://${vip}/ answered ${last.status}: ${last.body.slice(0, 200)}`);
  return `GET http://${vip}/ → 200 ${last.body.trim()}`;
};

export const replicaReplicatesAndRefusesWrites: Check = async (box, config) => {
  const primary = box.guests.get(config.database!.primary.vmid)!;
  const replica = box.guests.get(config.database!.replica!.vmid)!;
  const token = createHash("sha256").update(String(Date.now())).digest("hex").slice(0, 12);
  const sql = (g: BootedGuest, q: string) => inGuest(g, ["mariadb", "-N", "-B", "-e", q]);
  // MariaDB listens on the guest's address only: the replica's own client comes from that address.
  const from = config.database!.replica!.ip;
  const w = await sql(
    primary,
    `CREATE DATABASE IF NOT EXISTS boxcheck; CREATE TABLE IF NOT EXISTS boxcheck.t (v VARCHAR(20)); INSERT INTO boxcheck.t VALUES ('${token}'); CREATE USER IF NOT EXISTS 'boxcheck'@'${from}' IDENTIFIED BY 'boxcheck-pw'; GRANT ALL ON boxcheck.* TO 'boxcheck'@'${from}';`,
  );
  expectThat(w.code === 0, `write on the primary failed: ${w.stderr}`);
  const seen = await until(30_000, async () => {
    const r = await sql(replica, `SELECT v FROM boxcheck.t WHERE v = '${token}'`);
    return r.stdout.trim() === token ? true : undefined;
  });
  expectThat(seen === true, `the replica did not show the primary's row within 30 s`);
  const refused = await inGuest(replica, [
    "mariadb",
    "-h",
    from,
    "-u",
    "boxcheck",
    "-pboxcheck-pw",
    "-e",
    "INSERT INTO boxcheck.t VALUES ('replica')",
  ]);
  await sql(primary, `DROP USER IF EXISTS 'boxcheck'@'${from}'; DROP DATABASE IF EXISTS boxcheck;`);
  expectThat(
    refused.code !== 0 && /read-only|1290/.test(refused.stderr),
    `a write on the replica was not refused: ${refused.stderr}`,
  );
  return `row ${token} reached the replica; an application user's write there: ${refused.stderr.trim()}`;
};

/**
 * A request to an app node directly, from a balancer guest: the registered firewall opens the app
 * nodes' HTTP port to the balancers only (not to the admin workstation).
 */
async function fromBalancer(box: RunningBox, config: SiteConfig, args: string[]): Promise<RunResult> {
  const lb = Object.values(config.moodle!.loadBalancers).find((l) => box.guests.has(l.vmid));
  if (!lb) throw new CheckFailed("no balancer guest is running to reach the app nodes from");
  return inGuest(box.guests.get(lb.vmid)!, args, undefined, 15_000);
}

const sharedFiles: Check = async (box, config) => {
  const nodes = Object.values(config.moodle!.nodes);
  const host = config.moodle!.publicHostname;
  const name = `box-${Date.now()}`;
  const w = await fromBalancer(box, config, [
    "curl",
    "-s",
    "-m",
    "5",
    "-H",
    `Host: ${host}`,
    "--data-binary",
    `written on ${nodes[0].hostname}`,
    `http://${nodes[0].ip}/box/files.php?write=${name}`,
  ]);
  expectThat(
    w.code === 0 && w.stdout.trim() === nodes[0].hostname,
    `write on ${nodes[0].hostname} failed: ${w.stdout}${w.stderr}`,
  );
  for (const n of nodes.slice(1)) {
    const r = await fromBalancer(box, config, [
      "curl",
      "-s",
      "-m",
      "5",
      "-H",
      `Host: ${host}`,
      `http://${n.ip}/box/files.php?read=${name}`,
    ]);
    expectThat(
      r.stdout === `written on ${nodes[0].hostname}`,
      `${n.hostname} did not read the file written on ${nodes[0].hostname}: ${r.stdout}`,
    );
  }
  return `a file written through ${nodes[0].hostname} was read through ${nodes
    .slice(1)
    .map((n) => n.hostname)
    .join(", ")}`;
};

export const monitoringTargetsUp: Check = async (box, config) => {
  const m = config.monitoring!;
  const r = await fromClient(box, ["curl", "-s", "-m", "5", `http://${m.ip}:9090/api/v1/targets`]);
  expectThat(r.code === 0, `Prometheus on ${m.ip}:9090 did not answer`);
  const targets = (
    JSON.parse(r.stdout) as { data: { activeTargets: { scrapeUrl: string; health: string }[] } }
  ).data.activeTargets;
  // Every target the site configures (the wiring's), not just whatever Prometheus happens to scrape.
  // Except the proxmox job: it needs the pveExporterToken secret, which the box never has, and
  // without it the monitoring tier leaves the job out (with a warning).
  // With a tier selection, targets on guests outside the box cannot be up: they are listed apart.
  const inBox = new Set([
    ...box.plan.guests.map((g) => g.ip),
    ...[...box.nodes.values()].map((n) => n.spec.address),
  ]);
  const configured = siteWiring(config).scrapeTargets.filter((t) => t.job !== "proxmox");
  const wanted = configured.filter((t) => inBox.has(t.address)).map((t) => `${t.address}:${t.port}`);
  const outside = configured.filter((t) => !inBox.has(t.address)).map((t) => `${t.address}:${t.port}`);
  const scraped = new Set(targets.map((t) => new URL(t.scrapeUrl).host));
  const missing = wanted.filter((w) => !scraped.has(w));
  expectThat(missing.length === 0, `configured targets not scraped: ${missing.join(", ")}`);
  // Every target Prometheus scrapes must be up, but those on guests outside the box.
  const down = targets.filter((t) => !outside.includes(new URL(t.scrapeUrl).host) && t.health !== "up");
  expectThat(
    wanted.length > 0 && down.length === 0,
    `targets down: ${down.map((t) => `${t.scrapeUrl} (${t.health})`).join(", ")}`,
  );
  return `${wanted.length} targets, all up${outside.length ? ` (${outside.length} on guests outside the box not checked: ${outside.join(", ")})` : ""}`;
};

const sessionSurvivesItsNode: Check = async (box, config) => {
  const vip = config.moodle!.vip!;
  const jar = `${box.runDir}/session.jar`;
  const first = await getSite(box, config, vip, "/", jar);
  expectThat(first.status === 200, `first request answered ${first.status}`);
  const { node } = JSON.parse(first.body) as { node: string };
  await stopGuest(guestByHostname(box, node));
  const after = await until(30_000, async () => {
    const a = await getSite(box, config, vip, "/", jar);
    return a.status === 200 ? a : undefined;
  });
  expectThat(after !== undefined, `no answer within 30 s after stopping ${node}`);
  const second = JSON.parse(after!.body) as { node: string; hits: number };
  expectThat(second.node !== node && second.hits === 2, `after stopping ${node}: ${after!.body}`);
  return `session started on ${node}, continued on ${second.node} (hits ${second.hits})`;
};

/**
 * A request is lost when it fails, or when it takes longer than the balancer's own budget for it: a
 * connection to a node whose network has just gone waits `timeout connect` before HAProxy redispatches
 * it (until the health checks mark the node down), so the client waits that long plus the answer.
 */
const requestBudgetSeconds = Math.ceil(defaultHaproxyTimeouts.connectMs / 1000) + 10;

const appNodeLossLosesNoRequest: Check = async (box, config) => {
  const vip = config.moodle!.vip!;
  // A node still running: the session check before this one stopped another.
  const victim = Object.values(config.moodle!.nodes).find((n) => {
    const g = box.guests.get(n.vmid);
    return g !== undefined && existsSync(`/proc/${g.nspawnPid}`);
  });
  expectThat(victim !== undefined, "no app node is still running to stop");
  const failures: string[] = [];
  let slowest = 0;
  let sent = 0;
  const loop = (async () => {
    for (; sent < 120; sent++) {
      const t0 = Date.now();
      const a = await getSite(box, config, vip, "/", undefined, requestBudgetSeconds);
      const ms = Date.now() - t0;
      slowest = Math.max(slowest, ms);
      if (a.status !== 200) failures.push(`#${sent + 1}: ${a.status || "no answer"} after ${ms} ms`);
      await sleep(100);
    }
  })();
  await sleep(2000);
  await stopGuest(box.guests.get(victim!.vmid)!);
  await loop;
  expectThat(
    failures.length === 0,
    `${failures.length} of ${sent} requests failed while ${victim!.hostname} stopped: ${failures.join("; ")}`,
  );
  return `${sent} requests, none failed, while ${victim!.hostname} stopped (slowest ${slowest} ms)`;
};

const vipMovesWithMaster: Check = async (box, config) => {
  const master = await vipHolder(box, config);
  expectThat(master !== undefined, `no balancer holds ${config.moodle!.vip}`);
  await stopGuest(master!);
  const next = await until(20_000, () => vipHolder(box, config));
  expectThat(
    next !== undefined,
    `${config.moodle!.vip} did not move within 20 s of stopping ${master!.spec.hostname}`,
  );
  const answer = await until(20_000, async () => {
    const a = await getSite(box, config, config.moodle!.vip!);
    return a.status === 200 ? a : undefined;
  });
  expectThat(answer !== undefined, `the site did not answer after the VIP moved to ${next!.spec.hostname}`);
  return `VIP moved from ${master!.spec.hostname} to ${next!.spec.hostname}; the site answers`;
};

/** Checks that leave every guest running, then those that stop guests (in this order). */
export const SCHOOL_CHECKS: { name: string; check: Check }[] = [
  { name: "the site answers through the floating address", check: siteAnswers },
  { name: "the replica replicates and refuses writes", check: replicaReplicatesAndRefusesWrites },
  { name: "shared files written on one app node are read on the others", check: sharedFiles },
  {
    name: "the files node's NFS server serves the other nodes and refuses guests",
    check: nfsServesTheNodesOnly,
  },
  { name: "monitoring scrapes every configured target and all are up", check: monitoringTargetsUp },
  { name: "the registered firewall is still loaded in every node and guest", check: firewallStillLoaded },
  { name: "the database port is open exactly where a wiring edge leads to it", check: databasePortMatrix },
  {
    name: "Redis's port is open exactly to the guests of the applications that use it",
    check: redisPortMatrix,
  },
  { name: "Redis serves each application from that application's guests", check: redisServesItsApplication },
  {
    name: "the nodes' firewall: management from the admin workstation and local_network",
    check: nodeFirewall,
  },
  { name: "a session survives its node", check: sessionSurvivesItsNode },
  { name: "killing one app node loses no request", check: appNodeLossLosesNoRequest },
  {
    name: "stopping the MASTER balancer moves the VIP and the site keeps answering",
    check: vipMovesWithMaster,
  },
];

export async function runChecks(
  box: RunningBox,
  config: SiteConfig,
  checks: { name: string; check: Check }[],
  log: (l: string) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { name, check } of checks) {
    try {
      const detail = await check(box, config);
      results.push({ name, ok: true, detail });
    } catch (err) {
      results.push({ name, ok: false, detail: err instanceof Error ? err.message : String(err) });
    }
    const r = results[results.length - 1];
    log(`check ${r.ok ? "ok  " : "FAIL"} ${name}: ${r.detail}`);
  }
  return results;
}
