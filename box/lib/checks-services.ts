/**
 * Checks of the shared services any stack may have, generic over its config (prod first): Redis
 * serves each application with its own ACL user from the guests the program hands that user's
 * password to, and AdGuard Home answers DNS from the site network. An application whose guests are
 * not in the box (a tier selection) is checked from a namespace on its guest's own address, on
 * the box's bridge; the report says so.
 */
import { resolve } from "node:path";
import { guestInventory } from "../../config/inventory";
import type { SiteConfig } from "../../config/schema";
import { DEFAULT_REDIS_ADMIN_USER } from "../../components/redis/redis-acl";
import { redisClients } from "../../components/site/requests";
import { CheckFailed, expectThat, type Check } from "./check-kit";
import { monitoringTargetsUp, replicaReplicatesAndRefusesWrites, SCHOOL_CHECKS } from "./checks";
import type { BoxPlan } from "./collect";
import type { RunningBox } from "./box";
import { inGuest } from "./guest";
import { createClient } from "./network";
import { SWITCH_NETNS, standInHostIf, standInNetns } from "./instance";
import { run, type RunResult } from "./sh";
import { Teardown } from "./teardown";

const DNS_QUERY = resolve(__dirname, "../tools/dns-query.pl");

/** Where a check's traffic comes from: a guest of the site, by VMID. */
interface Source {
  vmid: number;
  hostname: string;
  ip: string;
  /** True when the guest itself runs in the box (false: a namespace on its address). */
  booted: boolean;
}

/**
 * Runs `argv` (a host program) in the network namespace of each source: the guest's own when it
 * runs in the box, else a namespace made for the check on the guest's address (removed after).
 */
async function fromSources<T>(
  box: RunningBox,
  config: SiteConfig,
  sources: Source[],
  each: (source: Source, exec: (argv: string[]) => Promise<RunResult>) => Promise<T>,
): Promise<T[]> {
  const teardown = new Teardown();
  const prefix = Number(config.network.cidr.split("/")[1]);
  try {
    const results: T[] = [];
    for (const s of sources) {
      const guest = box.guests.get(s.vmid);
      let exec: (argv: string[]) => Promise<RunResult>;
      if (guest) {
        exec = (argv) =>
          run("nsenter", ["-t", String(guest.pid), "-n", "--", ...argv], { timeoutMs: 15_000 });
      } else {
        const ns = await createClient(
          teardown,
          { netns: SWITCH_NETNS },
          standInNetns(s.vmid),
          standInHostIf(s.vmid),
          `${s.ip}/${prefix}`,
          config.network.gateway,
        );
        exec = (argv) => run("ip", ["netns", "exec", ns, ...argv], { timeoutMs: 15_000 });
      }
      results.push(await each(s, exec));
    }
    return results;
  } finally {
    await teardown.runAll(() => undefined);
  }
}

/** The site's guests by VMID, and whether each runs in this box. */
function sourceOf(box: RunningBox, config: SiteConfig, vmid: number): Source {
  const g = guestInventory(config).find((x) => x.vmid === vmid);
  if (!g) throw new CheckFailed(`VMID ${vmid} is not a guest of the stack`);
  return { vmid, hostname: g.hostname, ip: g.ip, booted: box.guests.has(vmid) };
}

/** VMIDs whose registered commands carry `secret` on their stdin (the guests the program hands it to). */
function guestsHandedSecret(box: RunningBox, secret: string): number[] {
  const vmids = new Set<number>();
  for (const r of box.plan.resources) {
    if (r.type !== "command:remote:Command") continue;
    const stdin = r.clearInputs?.stdin;
    const create = r.clearInputs?.create;
    if (typeof stdin !== "string" || typeof create !== "string" || !stdin.includes(secret)) continue;
    const vmid = /^pct exec (\d+) /.exec(create)?.[1];
    if (vmid) vmids.add(Number(vmid));
  }
  return [...vmids].sort((a, b) => a - b);
}

const redisReply = (r: RunResult) => `${r.stdout}${r.stderr}`.trim();

/**
 * Each application's Redis user, from each guest that gets its password: writes and reads a key
 * of its own, is refused a key of another application whose ACL is limited to its prefix, and
 * another application's password does not log in as it. The ACL is read from the server (as the
 * generated admin).
 */
export const redisServesEachApplication: Check = async (box, config) => {
  const redis = config.redis!;
  const host = redis.ip;
  const generated = (name: string) => {
    const pw = box.plan.generated?.[name];
    if (!pw) throw new CheckFailed(`no generated password ${name} in the registered program`);
    return pw;
  };
  const redisGuest = box.guests.get(redis.vmid);
  expectThat(redisGuest !== undefined, `the Redis guest ${redis.hostname} is not running in the box`);
  const cli = (user: string, pass: string, ...command: string[]) => [
    "redis-cli",
    "-h",
    host,
    "--user",
    user,
    "--pass",
    pass,
    "--no-auth-warning",
    ...command,
  ];
  const clients = redisClients(config);
  expectThat(clients.length > 0, "the stack has Redis but no application uses it");
  const users = clients.map((c) => ({ name: c.name, password: generated(`redis-${c.name}-password`) }));
  const admin = generated("redis-admin-password");
  // The server's own view of each user's key patterns.
  const patterns = new Map<string, string[]>();
  for (const u of users) {
    const r = await inGuest(redisGuest!, cli(DEFAULT_REDIS_ADMIN_USER, admin, "ACL", "GETUSER", u.name));
    const lines = r.stdout.split("\n").map((l) => l.trim());
    const keys = lines[lines.indexOf("keys") + 1] ?? "";
    expectThat(r.code === 0 && lines.includes("keys"), `ACL GETUSER ${u.name}: ${redisReply(r)}`);
    patterns.set(
      u.name,
      keys.split(" ").map((p) => p.replace(/^~/, "")),
    );
  }
  const keyIn = (user: string) => `${patterns.get(user)![0].replace(/\*$/, "")}boxcheck-${user}`;
  const evidence: string[] = [];
  for (const u of users) {
    const homes = guestsHandedSecret(box, u.password).map((v) => sourceOf(box, config, v));
    expectThat(homes.length > 0, `no registered command hands ${u.name}'s Redis password to a guest`);
    const found = await fromSources(box, config, homes, async (s, exec) => {
      const where = `${u.name} from ${s.hostname} (${s.ip}${s.booted ? "" : ", its address: guest not in the box"})`;
      const own = keyIn(u.name);
      const set = await exec(cli(u.name, u.password, "SET", own, s.hostname));
      expectThat(redisReply(set) === "OK", `${where}: SET ${own}: ${redisReply(set)}`);
      const get = await exec(cli(u.name, u.password, "GET", own));
      expectThat(redisReply(get) === s.hostname, `${where}: GET ${own}: ${redisReply(get)}`);
      await exec(cli(u.name, u.password, "DEL", own));
      const refused: string[] = [];
      for (const other of users.filter((o) => o.name !== u.name)) {
        const theirs = keyIn(other.name);
        if (!patterns.get(u.name)!.includes("*")) {
          const w = await exec(cli(u.name, u.password, "SET", theirs, "intruder"));
          expectThat(
            /NOPERM/.test(redisReply(w)),
            `${where}: SET ${theirs} was not refused: ${redisReply(w)}`,
          );
          refused.push(theirs);
        }
        const auth = await exec(cli(u.name, other.password, "PING"));
        expectThat(
          /WRONGPASS|invalid username-password/i.test(redisReply(auth)),
          `${where}: ${other.name}'s password logged in as ${u.name}: ${redisReply(auth)}`,
        );
      }
      return `${where}: own key ok${refused.length ? `, refused ${refused.join(" ")}` : `, all keys (ACL ~${patterns.get(u.name)!.join(" ~")})`}`;
    });
    evidence.push(...found);
  }
  return evidence.join("; ");
};

/**
 * AdGuard Home answers DNS on its address from the site network: every guest's name (its rewrite)
 * from each guest in the box, asked directly of AdGuard's address and through the guest's own
 * resolver configuration (AdGuard first in network.dns).
 */
export const adguardAnswersDns: Check = async (box, config) => {
  const ns = config.networkServices!;
  const domain = config.site.internalDomain;
  const guests = guestInventory(config);
  const askers = [...box.guests.values()];
  expectThat(askers.length > 0, "no guest runs in the box");
  let answered = 0;
  for (const asker of askers) {
    for (const g of guests) {
      const name = `${g.hostname}.${domain}`;
      const q = await run("nsenter", ["-t", String(asker.pid), "-n", "--", "perl", DNS_QUERY, ns.ip, name], {
        timeoutMs: 10_000,
      });
      const lines = q.stdout.trim().split("\n");
      expectThat(
        lines[0] === "rcode=0" && lines.includes(g.ip),
        `${asker.spec.hostname} asked ${ns.ip} for ${name}: ${q.stdout.trim() || q.stderr.trim()} (expected ${g.ip})`,
      );
      answered++;
    }
    const other = guests.find((g) => g.hostname !== asker.spec.hostname)!;
    const viaResolver = await inGuest(
      asker,
      ["getent", "ahostsv4", `${other.hostname}.${domain}`],
      undefined,
      15_000,
    );
    expectThat(
      viaResolver.stdout.split("\n")[0]?.startsWith(other.ip),
      `${asker.spec.hostname}'s resolver did not answer ${other.hostname}.${domain}: ${viaResolver.stdout}${viaResolver.stderr}`,
    );
  }
  return `${answered} answers from ${ns.ip} to ${askers.length} guests (each guest's name), and each guest's resolver answers through it`;
};

/**
 * The checks that apply to a stack and to the guests this box runs: the school's site checks with
 * Moodle; otherwise each shared service the stack has whose guests are in the box (a tier
 * selection leaves others out), monitoring last.
 */
export function siteChecks(config: SiteConfig, plan: BoxPlan): { name: string; check: Check }[] {
  if (config.moodle) return SCHOOL_CHECKS;
  const running = new Set(plan.guests.map((g) => g.vmid));
  const has = (...vmids: (number | undefined)[]) => vmids.every((v) => v !== undefined && running.has(v));
  const checks: { name: string; check: Check }[] = [];
  const db = config.database;
  if (db?.replica && has(db.primary.vmid, db.replica.vmid))
    checks.push({
      name: "the replica replicates from the primary across guests and refuses writes",
      check: replicaReplicatesAndRefusesWrites,
    });
  if (config.redis && has(config.redis.vmid))
    checks.push({
      name: "Redis serves each application with its own user from its own guests",
      check: redisServesEachApplication,
    });
  if (config.networkServices?.adguard && has(config.networkServices.vmid))
    checks.push({ name: "AdGuard Home answers DNS from the site network", check: adguardAnswersDns });
  if (config.monitoring && has(config.monitoring.vmid))
    checks.push({
      name: "monitoring scrapes every configured target and all are up",
      check: monitoringTargetsUp,
    });
  return checks;
}
