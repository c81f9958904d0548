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
} from "../../components/monitoring/exporters";
import { siteOverviewPanels } from "../../components/monitoring/dashboard";
import { databasePanels } from "../../components/monitoring/dashboard-database";
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
  type RunningDaemon,
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
import { installStubs } from "./fixtures/monitoring/stubs";

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
  let changed: string[];
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

  it("the whole script, run twice with stand-ins for apt/systemd: installs and restarts once, then does nothing", () => {
    const d = dir("stubbed");
    const stubEnv = installStubs(d);
    const root = dir("stubbed", "root");
    const input = liveMonitoringInput(true);
    const secrets = Object.fromEntries(monitoringScriptEnv(input).map((name) => [name, randomSecret()]));
    const script = renderMonitoringScript(input);
    const runOnce = () => {
      writeFileSync(stubEnv.STUB_LOG, "");
      const result = run("bash", ["-s"], renderPrelude(secrets) + script, {
        ...stubEnv,
        PROVISION_ROOT: root,
      });
      expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: "" });
      return readFileSync(stubEnv.STUB_LOG, "utf8").trim().split("\n");
    };
    const first = runOnce();
    expect(first).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^apt-get install .* prometheus prometheus-alertmanager prometheus-node-exporter/,
        ),
        expect.stringMatching(/^apt-get install .* grafana$/),
        "pip install --quiet --disable-pip-version-check prometheus-pve-exporter==3.10.2",
        "systemctl restart prometheus",
        "systemctl restart prometheus-alertmanager",
        "systemctl daemon-reload",
        "systemctl restart prometheus-pve-exporter",
        "systemctl restart grafana-server",
        expect.stringMatching(
          /^runuser -u grafana -- grafana cli .* admin reset-admin-password --password-from-stdin$/,
        ),
      ]),
    );
    expect(readFileSync(join(stubEnv.STUB_STATE, "runuser-stdin"), "utf8")).toBe(
      `${secrets.GRAFANA_ADMIN_PASSWORD}\n`,
    );
    const second = runOnce();
    expect(second.filter((call) => !/^(dpkg -s|systemctl (enable|is-active)|pip show) /.test(call))).toEqual(
      [],
    );
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

describe("a site on 127.40.0.0/24: real exporters, Prometheus and Alertmanager with the rendered files", () => {
  const input = liveMonitoringInput(true);
  const secrets: Record<string, string> = {
    ...Object.fromEntries(monitoringScriptEnv(input).map((name) => [name, randomSecret()])),
    MARIADB_MONITOR_PASSWORD: randomSecret(),
    REDIS_EXPORTER_PASSWORD: randomSecret(),
  };
  let smtp: Fake<SmtpMessage>;
  let telegram: Fake<TelegramMessage>;
  let pve: Fake<URLSearchParams>;
  let primaryDaemon: RunningDaemon | undefined;
  const prometheusUrl = `http://${IP.monitoring}:${PORT.prometheus}`;
  const alertmanagerUrl = `http://${IP.monitoring}:${PORT.alertmanager}`;

  async function getJson<T>(url: string): Promise<T> {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return (await res.json()) as T;
  }
  interface Vector {
    status: string;
    error?: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  }
  const query = (expr: string) =>
    getJson<Vector>(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);

  /** Starts an exporter with the ARGS and variables its rendered /etc/default file gives. */
  function startFromDefaults(name: string, program: string, defaultsFile: string, root: string) {
    const vars = Object.fromEntries(
      readFileSync(defaultsFile, "utf8")
        .split("\n")
        .filter((l) => /^[A-Z_]+="/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 2, -1)]),
    );
    const { ARGS, ...env } = vars;
    // Paths in ARGS are the guest's: read them under PROVISION_ROOT.
    const args = ARGS.split(" ").map((a) => a.replace(/=\/etc\//, `=${root}/etc/`));
    return startDaemon(name, findProgram(program), args, { env });
  }

  function mariadb(name: "primary" | "replica", serverId: number) {
    const data = dir(name, "data");
    const init = run(findProgram("mariadb-install-db"), [
      "--no-defaults",
      `--datadir=${data}`,
      "--user=root",
      "--skip-test-db",
      "--auth-root-authentication-method=socket",
    ]);
    if (init.status !== 0) throw new Error(`mariadb-install-db failed:\n${init.output}`);
    const socket = join(dir(name), "mysqld.sock");
    const daemon = startDaemon(`mariadb-${name}`, findProgram("mariadbd"), [
      "--no-defaults",
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir(name), "mysqld.pid")}`,
      `--bind-address=${IP[name]}`,
      `--port=${PORT.mariadb}`,
      "--user=root",
      "--skip-name-resolve",
      `--server-id=${serverId}`,
      `--log-bin=${join(data, "binlog")}`,
      "--binlog-format=ROW",
      "--event-scheduler=ON",
      "--innodb-buffer-pool-size=16M",
    ]);
    if (name === "primary") primaryDaemon = daemon;
    return socket;
  }

  function sql(socket: string, text: string, env: Record<string, string> = {}) {
    const result = run("bash", ["-c", `mariadb --protocol=socket --socket=${socket}`], text, env);
    if (result.status !== 0) throw new Error(`SQL failed:\n${result.output}`);
    return result.stdout;
  }

  beforeAll(async () => {
    smtp = await startFakeSmtp(IP.relay, PORT.smtp);
    telegram = await startFakeTelegram(IP.relay, PORT.telegram);
    pve = await startFakePveExporter(IP.pveExporter, 9221);
    fakes.push(smtp, telegram, pve);

    // MariaDB primary and replica, the exporter login created by the rendered step on each.
    const sockets = { primary: mariadb("primary", 1), replica: mariadb("replica", 2) };
    await Promise.all([waitForPort(IP.primary, PORT.mariadb), waitForPort(IP.replica, PORT.mariadb)]);
    for (const [name, socket] of Object.entries(sockets)) {
      const step = mysqldExporterUserStep({ socketPath: socket });
      const result = run("bash", ["-c", `set -euo pipefail\n${step}`], undefined, secrets);
      if (result.status !== 0) throw new Error(`exporter login on ${name}:\n${result.output}`);
    }
    const replPassword = randomSecret();
    sql(
      sockets.primary,
      `CREATE USER 'repl'@'%' IDENTIFIED BY '${replPassword}'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';`,
    );
    sql(sockets.primary, mariadbHeartbeatSql());
    sql(
      sockets.replica,
      `CHANGE MASTER TO MASTER_HOST='${IP.primary}', MASTER_PORT=${PORT.mariadb}, MASTER_USER='repl', ` +
        `MASTER_PASSWORD='${replPassword}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE;`,
    );

    // Exporters, each from the files its rendered part writes.
    for (const name of ["primary", "replica"] as const) {
      const root = dir(name, "root");
      const part = mysqldExporterPart({
        socketPath: sockets[name],
        heartbeat: true,
        listenAddress: `${IP[name]}:9104`,
      });
      writeGuestFiles(part.files, secrets, root);
      startFromDefaults(
        `mysqld-exporter-${name}`,
        "prometheus-mysqld-exporter",
        join(root, "etc/default/prometheus-mysqld-exporter"),
        root,
      );
    }
    const redisRoot = dir("redis", "root");
    writeGuestFiles(
      [
        ...redisExporterPart({
          user: "exporter",
          redisUrl: `redis://${IP.redis}:${PORT.redis}`,
          listenAddress: `${IP.redis}:9121`,
        }).files,
        {
          path: "/etc/redis/users.acl",
          content: `user default on >${randomSecret()} ~* &* +@all\n${redisExporterAclRule()}\n`,
        },
      ],
      secrets,
      redisRoot,
    );
    const redisConf = join(dir("redis"), "redis.conf");
    writeFileSync(
      redisConf,
      `bind ${IP.redis}\nport ${PORT.redis}\naclfile ${redisRoot}/etc/redis/users.acl\ndir ${dir("redis")}\nsave ""\nappendonly no\n`,
    );
    startDaemon("redis", findProgram("redis-server"), [redisConf]);
    await waitForPort(IP.redis, PORT.redis);
    startFromDefaults(
      "redis-exporter",
      "prometheus-redis-exporter",
      join(redisRoot, "etc/default/prometheus-redis-exporter"),
      redisRoot,
    );

    const haproxyCfg = join(dir("lb"), "haproxy.cfg");
    writeFileSync(
      haproxyCfg,
      [
        "defaults",
        "    mode http",
        "    timeout connect 1s",
        "    timeout client 5s",
        "    timeout server 5s",
        haproxyPrometheusFrontend({ bindAddress: IP.lb }),
        "backend app",
        // Nothing listens on port 9: both servers fail their checks, the backend goes DOWN.
        `    server app1 ${IP.lb}:9 check inter 200ms fall 1`,
        `    server app2 ${IP.lb}:10 check inter 200ms fall 1`,
        "",
      ].join("\n"),
    );
    const check = run(findProgram("haproxy"), ["-c", "-f", haproxyCfg]);
    if (check.status !== 0) throw new Error(`haproxy -c:\n${check.output}`);
    startDaemon("haproxy", findProgram("haproxy"), ["-db", "-f", haproxyCfg]);
    startDaemon("node-exporter", findProgram("prometheus-node-exporter"), [
      `--web.listen-address=${IP.node}:9100`,
    ]);

    // The monitoring guest: files written by the script's file steps, daemons started on them.
    const root = dir("monitoring", "root");
    writeGuestFiles(monitoringGuestFiles(input), secrets, root);
    startDaemon("alertmanager", findProgram("prometheus-alertmanager"), [
      `--config.file=${join(root, paths.ALERTMANAGER_CONFIG_PATH)}`,
      `--storage.path=${dir("monitoring", "alertmanager")}`,
      `--web.listen-address=${IP.monitoring}:${PORT.alertmanager}`,
      "--cluster.listen-address=",
    ]);
    startDaemon("prometheus", findProgram("prometheus"), [
      `--config.file=${join(root, paths.PROMETHEUS_CONFIG_PATH)}`,
      `--storage.tsdb.path=${dir("monitoring", "tsdb")}`,
      `--web.listen-address=${IP.monitoring}:${PORT.prometheus}`,
    ]);
    await Promise.all([
      waitForPort(IP.monitoring, PORT.prometheus),
      waitForPort(IP.monitoring, PORT.alertmanager),
      waitForPort(IP.node, 9100),
      waitForPort(IP.lb, 8405),
      waitForPort(IP.redis, 9121),
      waitForPort(IP.primary, 9104),
      waitForPort(IP.replica, 9104),
    ]);
  }, 60000);

  it("scrapes every target, labelled with the guest's hostname, and pve-exporter on behalf of the host", async () => {
    interface Targets {
      data: { activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] };
    }
    let targets: Targets["data"]["activeTargets"] = [];
    await waitFor(
      "every target up",
      async () => {
        targets = (await getJson<Targets>(`${prometheusUrl}/api/v1/targets?state=active`)).data.activeTargets;
        return targets.length === TARGETS.length && targets.every((t) => t.health === "up");
      },
      20000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}: ${JSON.stringify(targets.map((t) => [t.labels.instance, t.health, t.lastError]))}`,
      );
    });
    const seen = targets.map((t) => `${t.labels.job}/${t.labels.instance}`).sort();
    expect(seen).toEqual(TARGETS.map((t) => `${t.job}/${t.instance}`).sort());
    const last = pve.received[pve.received.length - 1];
    expect(Object.fromEntries(last)).toEqual({
      target: IP.pveHost,
      module: "default",
      cluster: "1",
      node: "1",
    });
    const pveUp = await query('pve_up{job="proxmox"}');
    expect(pveUp.data.result.map((r) => r.metric.instance)).toEqual(["pve", "pve"]);
  });

  it("the exporters report the services up, and every dashboard query is valid PromQL with data", async () => {
    for (const expr of ["mysql_up", "redis_up"]) {
      await waitFor(
        `${expr} == 1 everywhere`,
        async () => {
          const r = await query(expr);
          return r.data.result.length > 0 && r.data.result.every((s) => s.value[1] === "1");
        },
        15000,
      );
    }
    await waitFor(
      "replication threads running",
      async () => {
        const r = await query(
          'mysql_slave_status_slave_io_running * mysql_slave_status_slave_sql_running{instance="database-replica"}',
        );
        return r.data.result.length === 1 && r.data.result[0].value[1] === "1";
      },
      15000,
    );
    await waitFor(
      "heartbeat replicated",
      async () => (await query("mysql_heartbeat_stored_timestamp_seconds")).data.result.length === 2,
      15000,
    );
    // The only panel query without data here: this Redis has no maxmemory.
    const mayBeEmpty = ["redis_memory_max_bytes"];
    for (const panel of siteOverviewPanels(input.thresholds)) {
      for (const [expr] of panel.queries) {
        const promql = expr.replace(/\$__rate_interval/g, "1m");
        const result = await query(promql);
        expect({ expr, status: result.status, error: result.error }).toEqual({
          expr,
          status: "success",
          error: undefined,
        });
        if (mayBeEmpty.some((m) => expr.includes(m))) continue;
        // Rates need two samples: give a fresh target a few scrapes.
        await waitFor(`data for ${expr}`, async () => (await query(promql)).data.result.length > 0, 10000);
      }
    }
  });

  it("the database dashboard reads metrics the real mysqld exporter serves, and every query has data", async () => {
    const served = new Set<string>();
    for (const ip of [IP.primary, IP.replica]) {
      const res = await fetch(`http://${ip}:9104/metrics`, { signal: AbortSignal.timeout(5000) });
      for (const line of (await res.text()).split("\n"))
        if (/^mysql_\w+/.test(line)) served.add(/^mysql_\w+/.exec(line)![0]);
    }
    const panels = databasePanels(input.thresholds);
    const used = [
      ...new Set(panels.flatMap((p) => p.queries.flatMap(([expr]) => expr.match(/\bmysql_\w+/g) ?? []))),
    ];
    expect(used.length).toBeGreaterThan(8);
    expect(used.filter((m) => !served.has(m))).toEqual([]);
    for (const panel of panels) {
      for (const [expr] of panel.queries) {
        const promql = expr.replace(/\$__rate_interval/g, "1m");
        expect((await query(promql)).status).toBe("success");
        await waitFor(`data for ${expr}`, async () => (await query(promql)).data.result.length > 0, 10000);
      }
    }
  });

  it("a critical alert reaches e-mail (with the SMTP password) and Telegram; the warning on the same instance is inhibited", async () => {
    const subject = (m: SmtpMessage) => /^Subject: (.*)$/m.exec(m.data)?.[1] ?? "";
    await waitFor(
      "backend-down e-mail",
      () => smtp.received.some((m) => subject(m).includes(`${ALERT_NAMES.haproxyBackendDown} on lb`)),
      20000,
    );
    const mail = smtp.received.find((m) =>
      subject(m).includes(ALERT_NAMES.haproxyBackendDown),
    ) as SmtpMessage;
    expect(subject(mail)).toBe(`[bowbo/test] FIRING ${ALERT_NAMES.haproxyBackendDown} on lb`);
    expect(mail.username).toBe("alerts@example.com");
    expect(mail.password).toBe(secrets.ALERTMANAGER_SMTP_PASSWORD);
    expect(mail.to.sort()).toEqual([...RECIPIENTS].sort());
    await waitFor(
      "backend-down on Telegram",
      () => telegram.received.some((m) => m.text.includes(ALERT_NAMES.haproxyBackendDown)),
      15000,
    );
    const message = telegram.received.find((m) =>
      m.text.includes(ALERT_NAMES.haproxyBackendDown),
    ) as TelegramMessage;
    expect(message.token).toBe(secrets.ALERTMANAGER_TELEGRAM_BOT_TOKEN);
    expect(message.chatId).toBe(TELEGRAM_CHAT_ID);
    interface AmAlert {
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }
    const alerts = await getJson<AmAlert[]>(`${alertmanagerUrl}/api/v2/alerts`);
    const serverDown = alerts.filter((a) => a.labels.alertname === ALERT_NAMES.haproxyServerDown);
    expect(serverDown.map((a) => [a.labels.server, a.status.state]).sort()).toEqual([
      ["app1", "suppressed"],
      ["app2", "suppressed"],
    ]);
    expect(serverDown.every((a) => a.status.inhibitedBy.length === 1)).toBe(true);
    expect(smtp.received.some((m) => subject(m).includes(ALERT_NAMES.haproxyServerDown))).toBe(false);
  });

  it("a warning goes to e-mail only", async () => {
    const subject = (m: SmtpMessage) => /^Subject: (.*)$/m.exec(m.data)?.[1] ?? "";
    await waitFor(
      "memory warning e-mail",
      () => smtp.received.some((m) => subject(m).includes(`${ALERT_NAMES.memory} on monitoring`)),
      20000,
    );
    expect(telegram.received.some((m) => m.text.includes(ALERT_NAMES.memory))).toBe(false);
  });

  it("stopping the primary breaks replication: the replica's alert fires and is e-mailed", async () => {
    await primaryDaemon?.stop();
    interface Alerts {
      data: { alerts: { labels: Record<string, string>; state: string }[] };
    }
    const firing = async (alertname: string, instance: string) =>
      (await getJson<Alerts>(`${prometheusUrl}/api/v1/alerts`)).data.alerts.some(
        (a) => a.labels.alertname === alertname && a.labels.instance === instance && a.state === "firing",
      );
    await waitFor(
      "replication broken on the replica",
      () => firing(ALERT_NAMES.replicationBroken, "database-replica"),
      20000,
    );
    await waitFor(
      "MariaDB down on the primary",
      () => firing(ALERT_NAMES.mariadbDown, "database-primary"),
      20000,
    );
    const subject = (m: SmtpMessage) => /^Subject: (.*)$/m.exec(m.data)?.[1] ?? "";
    await waitFor(
      "replication e-mail",
      () =>
        smtp.received.some((m) =>
          subject(m).includes(`${ALERT_NAMES.replicationBroken} on database-replica`),
        ),
      20000,
    );
  });
});
