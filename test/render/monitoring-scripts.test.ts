import {
  haproxyPrometheusFrontend,
  HAPROXY_EXPORTER_PORT,
  MYSQLD_EXPORTER_PORT,
  mysqldExporterPart,
  NODE_EXPORTER_PORT,
  nodeExporterPart,
  PVE_EXPORTER_PORT,
  REDIS_EXPORTER_PORT,
  redisExporterAclRule,
  redisExporterPart,
  renderExporterScript,
} from "../../components/monitoring/exporters";
import * as paths from "../../components/monitoring/paths";
import { EXPORTER_PORTS } from "../../components/monitoring/ports";
import {
  monitoringGuestFiles,
  monitoringScriptEnv,
  renderMonitoringScript,
  type MonitoringGuestInput,
} from "../../components/monitoring/scripts";

const input: MonitoringGuestInput = {
  site: { client: "bowbo", stack: "prod" },
  targets: [
    { job: "node", instance: "monitoring", address: "192.168.0.31", port: 9100 },
    { job: "proxmox", instance: "pve", address: "192.168.0.2", port: 8006 },
  ],
  alerting: { email: { smarthost: "smtp.gmail.com:587", from: "a@example.com", to: ["b@example.com"] } },
  pveExporter: { tokenId: "prometheus@pve!monitoring" },
};

describe("exporters", () => {
  it("documents the default ports the firewall opens", () => {
    expect([
      NODE_EXPORTER_PORT,
      MYSQLD_EXPORTER_PORT,
      REDIS_EXPORTER_PORT,
      HAPROXY_EXPORTER_PORT,
      PVE_EXPORTER_PORT,
    ]).toEqual([9100, 9104, 9121, 8405, 9221]);
    expect(EXPORTER_PORTS).toEqual({ node: 9100, mysqld: 9104, redis: 9121, haproxy: 8405, proxmox: 8006 });
  });

  it("gives the MariaDB exporter its login through a root-and-prometheus-only option file", () => {
    const part = mysqldExporterPart({ heartbeat: true });
    const [cnf, defaults] = part.files;
    expect(cnf).toMatchObject({
      path: "/etc/prometheus/mysqld-exporter.my.cnf",
      mode: "0640",
      owner: "root:prometheus",
    });
    expect(cnf.content).toBe(
      '[client]\nuser=exporter\npassword="@@MARIADB_MONITOR_PASSWORD@@"\nsocket=/run/mysqld/mysqld.sock\n',
    );
    expect(defaults.content).toContain("--collect.slave_status --collect.heartbeat --collect.heartbeat.utc");
    expect(part.body).toMatch(
      /SET SESSION sql_log_bin = 0;\nCREATE USER IF NOT EXISTS 'exporter'@'localhost'/,
    );
    expect(part.body).toContain("SLAVE MONITOR");
    expect(mysqldExporterPart({ createUser: false }).body).not.toContain("CREATE USER");
    expect(() => mysqldExporterPart({ user: "x'; DROP" })).toThrow("is not a plain login");
  });

  it("restarts the MariaDB exporter once, after both of its files, out of the package's start limit", () => {
    const script = renderExporterScript("mysqld", [mysqldExporterPart()]);
    // A restart between the two files would start the exporter on the package's ARGS (which fail);
    // the package's own start crash-loops into systemd's start limit (the box found both).
    const restarts = [...script.matchAll(/systemctl restart prometheus-mysqld-exporter/g)];
    expect(restarts).toHaveLength(1);
    const restartAt = restarts[0].index!;
    expect(script.lastIndexOf("/etc/default/prometheus-mysqld-exporter")).toBeLessThan(restartAt);
    expect(script.lastIndexOf("mysqld-exporter.my.cnf")).toBeLessThan(restartAt);
    expect(script.slice(0, restartAt)).toMatch(/systemctl reset-failed prometheus-mysqld-exporter\n\s*$/);
  });

  it("gives the Redis exporter its user and password through its environment file", () => {
    const [file] = redisExporterPart({ user: "exporter" }).files;
    expect(file.content).toContain('REDIS_USER="exporter"\nREDIS_PASSWORD="@@REDIS_EXPORTER_PASSWORD@@"');
    expect(file.content).toContain('ARGS="--redis.addr=redis://127.0.0.1:6379 --web.listen-address=:9121"');
    expect(redisExporterAclRule()).toMatch(
      /^user exporter on >@@REDIS_EXPORTER_PASSWORD@@ resetkeys resetchannels -@all /,
    );
  });

  it("serves HAProxy's own exporter from a frontend", () => {
    expect(haproxyPrometheusFrontend()).toContain(
      "bind :8405\n    http-request use-service prometheus-exporter if { path /metrics }",
    );
  });

  it("renders one script per guest that demands its secrets and installs only missing packages", () => {
    const script = renderExporterScript("database-primary exporters", [
      nodeExporterPart(),
      mysqldExporterPart(),
    ]);
    expect(script).toContain(': "${MARIADB_MONITOR_PASSWORD:?');
    expect(script).toContain("wanted=(prometheus-node-exporter prometheus-mysqld-exporter)");
    expect(script).toContain("must not contain quotes");
  });
});

describe("monitoring guest script", () => {
  it("needs exactly the secrets its files and steps use", () => {
    expect(monitoringScriptEnv(input)).toEqual([
      "ALERTMANAGER_SMTP_PASSWORD",
      "GRAFANA_ADMIN_PASSWORD",
      "PVE_EXPORTER_TOKEN_VALUE",
    ]);
    const withTelegram = { ...input, alerting: { ...input.alerting, telegram: { chatId: "42" } } };
    expect(monitoringScriptEnv(withTelegram)).toContain("ALERTMANAGER_TELEGRAM_BOT_TOKEN");
    const noPve = { ...input, targets: input.targets.filter((t) => t.job !== "proxmox") };
    expect(monitoringScriptEnv(noPve)).not.toContain("PVE_EXPORTER_TOKEN_VALUE");
    expect(monitoringGuestFiles(noPve).map((f) => f.path)).not.toContain(paths.PVE_EXPORTER_CONFIG_PATH);
  });

  it("checks the configs before it reloads anything, and reloads only what changed", () => {
    const script = renderMonitoringScript(input);
    const check = script.indexOf(
      `promtool check config "${"${PROVISION_ROOT:-}"}${paths.PROMETHEUS_CONFIG_PATH}"`,
    );
    const amCheck = script.indexOf(
      `amtool check-config "${"${PROVISION_ROOT:-}"}${paths.ALERTMANAGER_CONFIG_PATH}"`,
    );
    expect(check).toBeGreaterThan(script.indexOf(`# ${paths.PROMETHEUS_RULES_PATH}`));
    expect(amCheck).toBeGreaterThan(check);
    for (const verb of [
      "systemctl reload prometheus",
      "systemctl restart prometheus-alertmanager",
      "systemctl restart grafana-server",
    ]) {
      expect(script.indexOf(verb)).toBeGreaterThan(amCheck);
    }
    expect(script).toContain(
      'if [ "$prometheus_restart" = 1 ]; then systemctl restart prometheus; elif [ "$prometheus_reload" = 1 ]',
    );
    expect(script).toContain("--password-from-stdin");
    expect(script).toContain("B53AE77BADB630A683046005963FA27710458545");
  });

  it("refuses a Proxmox target without the exporter's token id", () => {
    expect(() => renderMonitoringScript({ ...input, pveExporter: undefined })).toThrow(
      "needs pveExporter.tokenId",
    );
  });
});
