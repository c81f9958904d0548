import { parse } from "yaml";
import { fillSecrets } from "../live/support/fill-secrets";
import {
  alertmanagerConfig,
  renderAlertmanagerConfig,
  RECEIVERS,
} from "../../components/monitoring/alertmanager";
import {
  ALERT_NAMES,
  alertRuleGroups,
  DEFAULT_ALERT_THRESHOLDS,
  renderAlertRules,
  resolveThresholds,
} from "../../components/monitoring/rules";

const site = { client: "bowbo", stack: "prod" };
const email = {
  smarthost: "smtp.gmail.com:587",
  from: "alerts@example.com",
  to: ["ops@example.com", "b@example.com"],
};

describe("alert rules", () => {
  const rules = alertRuleGroups().groups.flatMap((g) => g.rules);
  const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));

  it("defines every named alert once, each with a severity and annotations naming the instance", () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(Object.values(ALERT_NAMES).sort());
    for (const r of rules) {
      expect(["critical", "warning"]).toContain(r.labels.severity);
      expect(r.annotations.summary).toContain("{{ $labels.instance }}");
      expect(r.annotations.description).toContain("{{ $labels.instance }}");
    }
  });

  it("uses the seed's thresholds by default", () => {
    expect(DEFAULT_ALERT_THRESHOLDS).toMatchObject({
      cpuPercent: 80,
      cpuForSeconds: 300,
      memoryPercent: 90,
      diskPercent: 85,
      downForSeconds: 60,
    });
    expect(byName[ALERT_NAMES.cpu]).toMatchObject({ for: "5m" });
    expect(byName[ALERT_NAMES.cpu].expr).toMatch(/node_cpu_seconds_total\{mode="idle"\}.*> 80$/);
    expect(byName[ALERT_NAMES.memory].expr).toMatch(/MemAvailable.*> 90$/);
    expect(byName[ALERT_NAMES.disk].expr).toMatch(
      /node_filesystem_avail_bytes\{fstype!~"[^"]*tmpfs[^"]*overlay[^"]*"\}.*> 85$/,
    );
    expect(byName[ALERT_NAMES.targetDown]).toMatchObject({
      expr: "up == 0",
      for: "1m",
      labels: { severity: "critical" },
    });
    expect(byName[ALERT_NAMES.replicationLagging].expr).toContain("> 300");
  });

  it("takes other thresholds and hold times", () => {
    const text = renderAlertRules({ cpuPercent: 70, cpuForSeconds: 90, replicationLagSeconds: 42 });
    const custom = (parse(text) as ReturnType<typeof alertRuleGroups>).groups.flatMap((g) => g.rules);
    const cpu = custom.find((r) => r.alert === ALERT_NAMES.cpu);
    expect(cpu).toMatchObject({ for: "90s" });
    expect(cpu?.expr.endsWith("> 70")).toBe(true);
    expect(custom.find((r) => r.alert === ALERT_NAMES.replicationLagging)?.expr).toMatch(/> 42 or .*> 42$/);
  });

  it("rejects impossible thresholds, every problem at once", () => {
    expect(() =>
      resolveThresholds({ cpuPercent: 120, memoryPercent: 0, downForSeconds: -1, diskForSeconds: 1.5 }),
    ).toThrow(/cpuPercent: 120[\s\S]*memoryPercent: 0[\s\S]*diskForSeconds: 1.5[\s\S]*downForSeconds: -1/);
  });
});

describe("alertmanager.yml", () => {
  it("routes critical and warning to e-mail, groups by alertname and instance, inhibits warnings under a critical", () => {
    const config = alertmanagerConfig({ site, email });
    expect(config.route).toMatchObject({ receiver: RECEIVERS.warning, group_by: ["alertname", "instance"] });
    expect(config.route.routes).toEqual([
      { receiver: RECEIVERS.critical, matchers: ['severity="critical"'], repeat_interval: "1h" },
      { receiver: RECEIVERS.warning, matchers: ['severity="warning"'] },
    ]);
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ["instance"],
      },
    ]);
    expect(config.global).toMatchObject({
      smtp_smarthost: "smtp.gmail.com:587",
      smtp_auth_username: "alerts@example.com",
      smtp_auth_password: "@@ALERTMANAGER_SMTP_PASSWORD:yaml@@",
      smtp_require_tls: true,
    });
    for (const r of config.receivers) {
      expect(r.email_configs[0]).toMatchObject({ to: "ops@example.com, b@example.com", send_resolved: true });
      expect("telegram_configs" in r).toBe(false);
    }
  });

  it("adds Telegram (token placeholder, numeric chat id) to the critical receiver only when configured", () => {
    const text = renderAlertmanagerConfig({ site, email, telegram: { chatId: "-1001234567890" } });
    expect(text).toContain(" bot_token: @@ALERTMANAGER_TELEGRAM_BOT_TOKEN:yaml@@\n");
    const filled = fillSecrets(text, {
      ALERTMANAGER_SMTP_PASSWORD: "smtp",
      ALERTMANAGER_TELEGRAM_BOT_TOKEN: "1:x",
    });
    const config = parse(filled) as ReturnType<typeof alertmanagerConfig>;
    const critical = config.receivers.find((r) => r.name === RECEIVERS.critical);
    expect(critical?.telegram_configs).toEqual([
      {
        bot_token: "1:x",
        chat_id: -1001234567890,
        parse_mode: "HTML",
        send_resolved: true,
      },
    ]);
    expect(text).toMatch(/chat_id: -1001234567890\n/);
    expect(config.receivers.find((r) => r.name === RECEIVERS.warning)).not.toHaveProperty("telegram_configs");
  });

  it("logs in only when asked, and rejects bad addresses and chat ids at once", () => {
    const plain = alertmanagerConfig({ site, email: { ...email, authenticate: false } });
    expect(plain.global).not.toHaveProperty("smtp_auth_password");
    expect(() =>
      alertmanagerConfig({
        site,
        email: { smarthost: "smtp", from: "x", to: [] },
        telegram: { chatId: "@chan" },
      }),
    ).toThrow(
      /smarthost: "smtp" is not host:port[\s\S]*from: "x"[\s\S]*at least one recipient[\s\S]*chatId: "@chan"/,
    );
  });
});
