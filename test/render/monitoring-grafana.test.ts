import { parse } from "yaml";
import { siteOverviewDashboard, renderSiteOverviewDashboard } from "../../components/monitoring/dashboard";
import {
  PROMETHEUS_DATASOURCE_UID,
  renderGrafanaDashboardProvider,
  renderGrafanaDatasource,
  renderGrafanaIni,
} from "../../components/monitoring/grafana";
import { GRAFANA_DASHBOARDS_DIR } from "../../components/monitoring/paths";

const site = { client: "bowbo", stack: "prod" };

describe("grafana provisioning", () => {
  it("puts the admin password placeholder in [security], triple-quoted", () => {
    const ini = renderGrafanaIni({ publicHostname: "grafana.example.com" });
    const security = ini.slice(ini.indexOf("[security]"), ini.indexOf("[users]"));
    expect(security).toContain('admin_password = """@@GRAFANA_ADMIN_PASSWORD@@"""');
    expect(security).toContain("cookie_secure = true");
    expect(ini).toContain("root_url = https://grafana.example.com/");
    expect(renderGrafanaIni()).toContain("cookie_secure = false");
    expect(() => renderGrafanaIni({ adminUser: "admin; x" })).toThrow("is not a plain login");
  });

  it("provisions Prometheus as the default data source and a file provider on the dashboards directory", () => {
    expect(parse(renderGrafanaDatasource())).toEqual({
      apiVersion: 1,
      datasources: [
        {
          name: "Prometheus",
          type: "prometheus",
          uid: PROMETHEUS_DATASOURCE_UID,
          access: "proxy",
          url: "http://127.0.0.1:9090",
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: "15s" },
        },
      ],
    });
    const provider = parse(renderGrafanaDashboardProvider()) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(provider.providers).toHaveLength(1);
    expect(provider.providers[0]).toMatchObject({ type: "file", options: { path: GRAFANA_DASHBOARDS_DIR } });
  });
});

describe("site overview dashboard", () => {
  const dashboard = siteOverviewDashboard({ site, thresholds: { cpuPercent: 75 } });

  it("is JSON of the TS object, with the panels the issue asks for", () => {
    expect(JSON.parse(renderSiteOverviewDashboard({ site, thresholds: { cpuPercent: 75 } }))).toEqual(
      dashboard,
    );
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
    for (const metric of [
      /^up$/m,
      /node_cpu_seconds_total/,
      /node_memory_MemAvailable_bytes/,
      /node_filesystem_avail_bytes/,
      /mysql_slave_status_seconds_behind_master/,
      /redis_memory_used_bytes/,
      /haproxy_server_status/,
    ]) {
      expect(exprs).toMatch(metric);
    }
  });

  it("reads only the provisioned data source, with unique ids, on a grid without overlaps", () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(p.datasource.uid).toBe(PROMETHEUS_DATASOURCE_UID);
      for (const t of p.targets) expect(t.datasource.uid).toBe(PROMETHEUS_DATASOURCE_UID);
    }
    const cells = new Set<string>();
    for (const { gridPos: g } of dashboard.panels) {
      expect(g.x + g.w).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it("draws the alert thresholds", () => {
    const cpu = dashboard.panels.find((p) => p.title.startsWith("CPU"));
    expect(cpu?.fieldConfig.defaults.thresholds).toEqual({
      mode: "absolute",
      steps: [
        { color: "green", value: null },
        { color: "red", value: 75 },
      ],
    });
  });
});
