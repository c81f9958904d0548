/**
 * Prod's data, network and monitoring tiers in a box (docs/box.md): those tiers' registered steps
 * and whatever they wait for run in booted guests on prod's addresses, with Grafana and AdGuard
 * Home from the box's stand-in mirror; then prod's checks and a second run of every script.
 * Opt-in (BOX_PROD=1): it takes about 5 minutes with a warm cache. Needs root and the packages of
 * .ci/install-daemons.sh; elsewhere it is skipped and says why.
 */
import { whyBoxCannotRun } from "../../box/lib/capability";
import { runChecks, type CheckResult } from "../../box/lib/checks";
import { siteChecks } from "../../box/lib/checks-services";
import {
  brokenSteps,
  expectSecondRunChangedNothing,
  runStackBox,
  type StackBoxRun,
} from "./support/stack-box";

const TIERS = ["data", "network", "monitoring"];

const why =
  whyBoxCannotRun() ??
  (process.env.BOX_PROD === "1" ? undefined : "prod's box is opt-in (BOX_PROD=1): it takes minutes");
if (why) console.log(`box tests skipped: ${why}`);

/** The checks prod's tiers must pass, by name (siteChecks must offer each of them). */
const PROD_CHECKS = [
  "the replica replicates from the primary across guests and refuses writes",
  "Redis serves each application with its own user from its own guests",
  "AdGuard Home answers DNS from the site network",
  "monitoring scrapes every configured target and all are up",
];

(why ? describe.skip : describe)("prod's data, network and monitoring tiers in a box", () => {
  let run: StackBoxRun | undefined;
  let checks: CheckResult[] = [];
  let offered: string[] = [];

  beforeAll(async () => {
    run = await runStackBox("prod", {
      tiers: TIERS,
      whileUp: async (box, config, log) => {
        const list = siteChecks(config, box.plan);
        offered = list.map((c) => c.name);
        checks = await runChecks(box, config, list, log);
      },
    });
  }, 40 * 60_000);

  it("runs every step of those tiers, and only those and what they wait for", () => {
    const { report } = run!;
    expect(brokenSteps(report)).toEqual([]);
    const ran = report.steps.map((s) => s.name);
    expect(ran).toEqual(
      expect.arrayContaining([
        "database-primary",
        "database-replica-replication",
        "redis-bootstrap",
        "network-services-adguard",
        "network-services-cloudflared",
        "monitoring-install",
        "pve-node-exporter",
      ]),
    );
    expect(ran).not.toContain("nextcloud-bowbo");
    expect(ran).not.toContain("frappe-install");
    expect(report.selection!.leftOut.map((s) => s.name)).toContain("nextcloud-bowbo-install");
  });

  it("names the stand-ins it served: Grafana's repository and AdGuard Home's release", () => {
    const what = run!.report.standIns.map((s) => s.what).join("\n");
    expect(what).toMatch(/Grafana \(monitoring.grafanaApt\)/);
    expect(what).toMatch(/AdGuard Home \(networkServices.adguard.baseUrl\)/);
  });

  it("changes nothing on a second run of every script (same files, no service restarted)", () => {
    expectSecondRunChangedNothing(run!.second, { rerun: 10, files: 500, services: 10 });
  });

  it("offers every prod check", () => {
    expect(offered).toEqual(PROD_CHECKS);
  });

  it.each(PROD_CHECKS)("%s", (name) => {
    const result = checks.find((c) => c.name === name);
    expect(result).toBeDefined();
    expect([result!.ok, result!.detail]).toEqual([true, expect.any(String)]);
  });
});
