/**
 * Live proof of the monitoring renderers on real tools. Offline checkers first (promtool test/check,
 * amtool, shellcheck, the scripts' file steps); then a small site on 127.40.0.0/24: node, MariaDB
 * (primary + replica), Redis and HAProxy exporters from Debian's packages, Prometheus and Alertmanager
 * with the rendered files, and loopback stand-ins for the SMTP relay, Telegram and pve-exporter.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import {
  haproxyPrometheusFrontend,
  mariadbHeartbeatSql,
  mysqldExporterPart,
  mysqldExporterUserStep,
  nodeExporterPart,
  redisExporterAclRule,
  redisExporterPart,
  renderExporterScript,
  type ScriptPart,
} from "../../components/monitoring/exporters";
import { siteOverviewPanels } from "../../components/monitoring/dashboard";
import * as paths from "../../components/monitoring/paths";
import {
  ALERT_NAMES,
  DEFAULT_ALERT_THRESHOLDS,
  renderAlertRules,
  type AlertThresholds,
} from "../../components/monitoring/rules";
import {
  monitoringGuestFiles,
  monitoringScriptEnv,
  renderMonitoringScript,
} from "../../components/monitoring/scripts";
import { renderPrelude, renderScript, type GuestFile } from "../../components/proxmox/script";
import {
  findProgram,
  run,
  scratchDir,
  startDaemon,
  stopAllDaemons,
  waitFor,
  waitForPort,
} from "./support/daemon";
import {
  startFakePveExporter,
  startFakeSmtp,
  startFakeTelegram,
  type Fake,
  type SmtpMessage,
  type TelegramMessage,
} from "./fixtures/monitoring/fakes";
import {
  IP,
  PORT,
  RECIPIENTS,
  TELEGRAM_CHAT_ID,
  TARGETS,
  liveMonitoringInput,
  randomSecret,
} from "./fixtures/monitoring/inputs";
import { ruleUnitTests } from "./fixtures/monitoring/rule-tests";

const scratch = scratchDir("monitoring");
afterAll(async () => {
  await stopAllDaemons();
  await Promise.all(fakes.map((f) => f.close()));
  scratch.remove();
});
const fakes: Fake<unknown>[] = [];

function dir(...parts: string[]): string {
  const path = join(scratch.path, ...parts);
  mkdirSync(path, { recursive: true });
  return path;
}

/**
 * Writes guest files the way the provisioning script does (its real file steps, placeholders filled
 * from a stdin prelude) under `root`; each change is logged instead of reloading a daemon.
 */
function writeGuestFiles(files: readonly GuestFile[], env: Record<string, string>, root: string) {
  const log = join(root, "changed.log");
  const script = renderScript({
    summary: "test: the file steps only",
    files: files.map((f) => ({ ...f, onChange: `echo ${f.path} >>${log}` })),
  });
  const result = run("bash", ["-s"], renderPrelude(env) + script, { PROVISION_ROOT: root });
  if (result.status !== 0) throw new Error(`file steps failed:\n${result.output}`);
  let changed: string[] = [];
  try {
    changed = readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
  } catch {
    changed = [];
  }
  writeFileSync(log, "");
  return changed;
}

function tool(name: string, args: readonly string[]) {
  return run(findProgram(name), args);
}

describe("offline checkers: promtool, amtool, shellcheck", () => {
  const custom: AlertThresholds = {
    cpuPercent: 60,
    cpuForSeconds: 180,
    memoryPercent: 75,
    memoryForSeconds: 120,
    diskPercent: 70,
    diskForSeconds: 60,
    downForSeconds: 30,
    replicationBrokenForSeconds: 45,
    replicationLagSeconds: 120,
    replicationLagForSeconds: 30,
  };

  function promtoolTest(rulesFor: Partial<AlertThresholds>, testsFor: AlertThresholds, name: string) {
    const d = dir("promtool", name);
    writeFileSync(join(d, "rules.yml"), renderAlertRules(rulesFor));
    writeFileSync(join(d, "tests.yml"), stringify(ruleUnitTests(testsFor, "rules.yml")));
    return tool("promtool", ["test", "rules", join(d, "tests.yml")]);
  }

  it("promtool test rules: every seed threshold fires just over, stays quiet just under and before its hold time", () => {
    const result = promtoolTest({}, { ...DEFAULT_ALERT_THRESHOLDS }, "defaults");
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("promtool test rules: other thresholds are honoured the same way", () => {
    const result = promtoolTest(custom, custom, "custom");
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("the unit tests can fail: tests for other thresholds fail against the seed's rules", () => {
    const result = promtoolTest({}, custom, "mismatch");
    expect(result.status).not.toBe(0);
    for (const name of [ALERT_NAMES.cpu, ALERT_NAMES.memory, ALERT_NAMES.disk, ALERT_NAMES.targetDown]) {
      expect(result.output).toContain(`alertname: ${name}`);
    }
  });

  it("promtool check rules accepts the rule file", () => {
    const d = dir("check-rules");
    writeFileSync(join(d, "rules.yml"), renderAlertRules());
    const result = tool("promtool", ["check", "rules", join(d, "rules.yml")]);
    expect(result.output).toContain("SUCCESS: 10 rules found");
    expect(result.status).toBe(0);
  });

  it("promtool check config and amtool check-config accept the files the script writes (placeholders filled)", () => {
    for (const telegram of [false, true]) {
      const root = dir("guest", telegram ? "telegram" : "email");
      const input = liveMonitoringInput(telegram);
      const env = Object.fromEntries(monitoringScriptEnv(input).map((name) => [name, randomSecret()]));
      writeGuestFiles(monitoringGuestFiles(input), env, root);
      // rule_files is relative ("rules/*.yml"): the copy under PROVISION_ROOT is checked as written.
      const prom = tool("promtool", ["check", "config", join(root, paths.PROMETHEUS_CONFIG_PATH)]);
      expect(prom.output).toContain("SUCCESS: 1 rule files found");
      expect(prom.status).toBe(0);
      const amFile = join(root, paths.ALERTMANAGER_CONFIG_PATH);
      const am = tool("amtool", ["check-config", amFile]);
      expect(am.output).toContain("SUCCESS");
      expect(am.status).toBe(0);
      const amText = readFileSync(amFile, "utf8");
      expect(amText).not.toContain("@@");
      expect(amText).toContain(env.ALERTMANAGER_SMTP_PASSWORD);
      expect(amText.includes(env.ALERTMANAGER_TELEGRAM_BOT_TOKEN ?? "(none)")).toBe(telegram);
      expect(readFileSync(join(root, paths.PVE_EXPORTER_CONFIG_PATH), "utf8")).toContain(
        env.PVE_EXPORTER_TOKEN_VALUE,
      );
      const dashboard = readFileSync(join(root, paths.GRAFANA_DASHBOARDS_DIR, "site-overview.json"), "utf8");
      expect((JSON.parse(dashboard) as { panels: unknown[] }).panels.length).toBeGreaterThan(5);
    }
  });

  it("the file steps are idempotent: a second run changes nothing", () => {
    const root = dir("guest", "twice");
    const input = liveMonitoringInput(true);
    const files = monitoringGuestFiles(input);
    const env = Object.fromEntries(monitoringScriptEnv(input).map((name) => [name, randomSecret()]));
    expect(writeGuestFiles(files, env, root)).toEqual(files.map((f) => f.path));
    const before = files.map((f) => statSync(join(root, f.path)).mtimeMs);
    expect(writeGuestFiles(files, env, root)).toEqual([]);
    expect(files.map((f) => statSync(join(root, f.path)).mtimeMs)).toEqual(before);
    // A rotated secret rewrites exactly the files that hold it.
    const rotated = { ...env, GRAFANA_ADMIN_PASSWORD: randomSecret() };
    expect(writeGuestFiles(files, rotated, root)).toEqual([paths.GRAFANA_INI_PATH]);
  });

  it("shellcheck passes every rendered script", () => {
    const scripts: Record<string, string> = {
      "monitoring-telegram.sh": renderMonitoringScript(liveMonitoringInput(true)),
      "monitoring-email.sh": renderMonitoringScript({
        ...liveMonitoringInput(false),
        targets: TARGETS.filter((t) => t.job !== "proxmox"),
      }),
      "exporters-db.sh": renderExporterScript("db", [
        nodeExporterPart(),
        mysqldExporterPart({ heartbeat: true }),
      ]),
      "exporters-redis.sh": renderExporterScript("redis", [
        nodeExporterPart(),
        redisExporterPart({ user: "exporter" }),
      ]),
      "exporters-node.sh": renderExporterScript("node", [nodeExporterPart()]),
    };
    const d = dir("shellcheck");
    for (const [name, text] of Object.entries(scripts)) writeFileSync(join(d, name), text);
    const result = tool("shellcheck", ["--severity=style", ...Object.keys(scripts).map((n) => join(d, n))]);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });
});
