import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { siteOverviewPanels, type PanelSpec } from "../../components/monitoring/dashboard";
import {
  DATABASE_DASHBOARD_FILE,
  databasePanels,
  renderDatabaseDashboard,
} from "../../components/monitoring/dashboard-database";
import * as paths from "../../components/monitoring/paths";
import { monitoringGuestFiles } from "../../components/monitoring/scripts";
import { findProgram, run, scratchDir } from "../live/support/daemon";
import { liveMonitoringInput } from "../live/fixtures/monitoring/inputs";

const site = { client: "bowbo", stack: "prod" };

/** A rule file holding every panel query as a recording rule: `promtool check rules` parses them. */
function recordingRules(panels: readonly PanelSpec[]): string {
  const rules = panels.flatMap((p, i) =>
    p.queries.map(([expr], j) => ({
      record: `dashboard:panel${i + 1}_${j + 1}`,
      // Grafana fills $__rate_interval in; any valid range stands in for it here.
      expr: expr.replace(/\$__rate_interval/g, "5m"),
    })),
  );
  return stringify({ groups: [{ name: "dashboard-queries", rules }] });
}

function promtoolCheck(panels: readonly PanelSpec[]) {
  const d = scratchDir("dashboards");
  try {
    writeFileSync(join(d.path, "rules.yml"), recordingRules(panels));
    return run(findProgram("promtool"), ["check", "rules", join(d.path, "rules.yml")]);
  } finally {
    d.remove();
  }
}

describe("database dashboard (the site report's: queries, slow queries, connections, replication)", () => {
  const json = JSON.parse(renderDatabaseDashboard({ site, thresholds: { replicationLagSeconds: 120 } })) as {
    uid: string;
    panels: {
      id: number;
      title: string;
      targets: { expr: string }[];
      fieldConfig: { defaults: Record<string, unknown> };
    }[];
  };

  it("is JSON with the report's panels, each with queries and unique ids", () => {
    expect(json.uid).toBe("proxmox-sites-database");
    const titles = json.panels.map((p) => p.title);
    for (const wanted of [
      /^Queries per second$/,
      /^Slow queries/,
      /^Connections$/,
      /^Replication lag$/,
      /^Replication state/,
    ])
      expect(titles.some((t) => wanted.test(t))).toBe(true);
    expect(new Set(json.panels.map((p) => p.id)).size).toBe(json.panels.length);
    for (const p of json.panels) expect(p.targets.length).toBeGreaterThan(0);
    const lag = json.panels.find((p) => p.title === "Replication lag")!;
    expect(lag.fieldConfig.defaults.thresholds).toEqual({
      mode: "absolute",
      steps: [
        { color: "green", value: null },
        { color: "red", value: 120 },
      ],
    });
  });

  it.each([
    ["database", databasePanels()],
    ["site overview", siteOverviewPanels()],
  ])("every %s panel query parses as PromQL (promtool check rules)", (_name, panels) => {
    const result = promtoolCheck(panels);
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("the PromQL check can fail: a broken query is refused", () => {
    const broken: PanelSpec[] = [
      { type: "stat", title: "x", unit: "none", queries: [["rate(mysql_up[5m]", "x"]] },
    ];
    expect(promtoolCheck(broken).status).not.toBe(0);
  });

  it("is provisioned into Grafana's dashboards directory when the site has a MariaDB exporter", () => {
    const withDb = liveMonitoringInput(false);
    const path = `${paths.GRAFANA_DASHBOARDS_DIR}/${DATABASE_DASHBOARD_FILE}`;
    expect(withDb.targets.some((t) => t.job === "mysqld")).toBe(true);
    const file = monitoringGuestFiles(withDb).find((f) => f.path === path);
    expect(JSON.parse(file!.content)).toMatchObject({ uid: "proxmox-sites-database" });
    const without = { ...withDb, targets: withDb.targets.filter((t) => t.job !== "mysqld") };
    expect(monitoringGuestFiles(without).some((f) => f.path === path)).toBe(false);
  });
});
