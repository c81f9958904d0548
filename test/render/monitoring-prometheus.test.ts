import fc from "fast-check";
import { parse } from "yaml";
import { fillSecrets } from "../live/support/fill-secrets";
import { PROMETHEUS_RULE_FILES_GLOB } from "../../components/monitoring/paths";
import { renderPrometheusConfig, validateScrapeTargets } from "../../components/monitoring/prometheus";
import {
  parsePveTokenId,
  renderPveExporterConfig,
  renderPveExporterUnit,
} from "../../components/monitoring/pve";
import type { ScrapeTarget } from "../../components/monitoring/types";

interface StaticConfig {
  targets: string[];
  labels: Record<string, string>;
}
interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  static_configs: StaticConfig[];
  relabel_configs?: { source_labels?: string[]; target_label: string; replacement?: string }[];
}
interface PromConfig {
  global: Record<string, unknown> & { external_labels: Record<string, string> };
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: ScrapeConfig[];
}

const site = { client: "bowbo", stack: "prod" };
const render = (targets: readonly ScrapeTarget[], extra = {}) =>
  parse(renderPrometheusConfig({ site, targets, ...extra })) as PromConfig;

const hostname = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
const target: fc.Arbitrary<ScrapeTarget> = fc.oneof(
  fc.record({
    job: fc.constantFrom("node", "mysqld", "redis", "haproxy", "custom_app"),
    instance: hostname,
    address: ipv4,
    port: fc.integer({ min: 1, max: 65535 }),
  }),
  fc.record({ job: fc.constant("proxmox"), instance: hostname, address: ipv4, port: fc.constant(8006) }),
);
const targets = fc.uniqueArray(target, { selector: (t) => `${t.job}/${t.instance}`, maxLength: 25 });

describe("prometheus.yml", () => {
  it("scrapes every target exactly once, in a job named after its kind, labelled with the guest's hostname", () => {
    fc.assert(
      fc.property(targets, (list) => {
        const config = render(list);
        expect(config.scrape_configs.map((j) => j.job_name).sort()).toEqual(
          [...new Set(list.map((t) => t.job))].sort(),
        );
        const scraped = config.scrape_configs.flatMap((job) =>
          job.static_configs.map((sc) => `${job.job_name}|${sc.labels.instance}|${sc.targets.join(",")}`),
        );
        const expected = list.map(
          (t) => `${t.job}|${t.instance}|${t.job === "proxmox" ? t.address : `${t.address}:${t.port}`}`,
        );
        expect(scraped.sort()).toEqual(expected.sort());
      }),
    );
  });

  it("does not depend on the order of the wiring (stable diffs)", () => {
    fc.assert(
      fc.property(targets, fc.infiniteStream(fc.nat()), (list, randoms) => {
        const shuffled = [...list].sort(() => (randoms.next().value % 3) - 1);
        expect(renderPrometheusConfig({ site, targets: shuffled })).toBe(
          renderPrometheusConfig({ site, targets: list }),
        );
      }),
    );
  });

  it("asks pve-exporter on the monitoring guest about the Proxmox host (?target=<host>&module=default)", () => {
    const config = render([{ job: "proxmox", instance: "pve", address: "192.168.0.2", port: 8006 }], {
      pveExporterAddress: "127.0.0.1:9221",
    });
    const job = config.scrape_configs[0];
    expect(job.metrics_path).toBe("/pve");
    expect(job.params).toEqual({ module: ["default"], cluster: ["1"], node: ["1"] });
    expect(job.static_configs).toEqual([{ targets: ["192.168.0.2"], labels: { instance: "pve" } }]);
    expect(job.relabel_configs).toEqual([
      { source_labels: ["__address__"], target_label: "__param_target" },
      { target_label: "__address__", replacement: "127.0.0.1:9221" },
    ]);
  });

  it("names rule files relative to itself, alerts the local Alertmanager and labels the site", () => {
    const config = render([{ job: "node", instance: "web", address: "10.0.0.5", port: 9100 }], {
      scrapeIntervalSeconds: 5,
    });
    expect(config.rule_files).toEqual([PROMETHEUS_RULE_FILES_GLOB]);
    expect(config.rule_files[0].startsWith("/")).toBe(false);
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(["127.0.0.1:9093"]);
    expect(config.global).toMatchObject({
      scrape_interval: "5s",
      scrape_timeout: "5s",
      evaluation_interval: "15s",
      external_labels: site,
    });
  });

  it("keeps extra labels and brackets IPv6 addresses", () => {
    const config = render([
      { job: "node", instance: "v6", address: "fd00::5", port: 9100, labels: { role: "web" } },
    ]);
    expect(config.scrape_configs[0].static_configs).toEqual([
      { targets: ["[fd00::5]:9100"], labels: { role: "web", instance: "v6" } },
    ]);
  });

  it("reports every bad target at once", () => {
    const bad: ScrapeTarget[] = [
      { job: "node", instance: "a", address: "10.0.0.1", port: 9100 },
      { job: "node", instance: "a", address: "10.0.0.2", port: 9100 },
      { job: "redis", instance: "r", address: "10.0.0.3", port: 0 },
      { job: "proxmox", instance: "pve", address: "10.0.0.4", port: 9221 },
      { job: "node", instance: "l", address: "10.0.0.5", port: 9100, labels: { instance: "x", __meta: "y" } },
      { job: "bad job", instance: "j", address: "10.0.0.6", port: 1 },
    ];
    expect(() => validateScrapeTargets(bad)).toThrow(
      new RegExp(
        [
          "targets\\[1\\] \\(node/a\\): another target has the same job and instance",
          "targets\\[2\\] \\(redis/r\\): port 0 not in 1-65535",
          "targets\\[3\\] \\(proxmox/pve\\): pve-exporter always connects to the API on 8006, found 9221",
          'label "instance" is set by the renderer',
          '"__meta" is not a valid label name',
          'job "bad job" must match',
        ].join("[\\s\\S]*"),
      ),
    );
  });
});

describe("pve-exporter", () => {
  it("splits the token id and leaves the token value to the placeholder", () => {
    expect(parsePveTokenId("prometheus@pve!monitoring")).toEqual({
      user: "prometheus@pve",
      tokenName: "monitoring",
    });
    const text = renderPveExporterConfig({ tokenId: "prometheus@pve!monitoring" });
    expect(text).toContain("  token_value: @@PVE_EXPORTER_TOKEN_VALUE:yaml@@\n");
    expect(parse(fillSecrets(text, { PVE_EXPORTER_TOKEN_VALUE: "a'b\"c" }))).toEqual({
      default: {
        user: "prometheus@pve",
        token_name: "monitoring",
        token_value: "a'b\"c",
        verify_ssl: false,
      },
    });
    for (const bad of ["prometheus@pve", "prometheus!x", "a b@pve!x", "prometheus@pve!"]) {
      expect(() => parsePveTokenId(bad)).toThrow(`"${bad}" is not user@realm!tokenname`);
    }
  });

  it("runs as the prometheus user, bound to loopback by default", () => {
    const unit = renderPveExporterUnit();
    expect(unit).toContain("User=prometheus");
    expect(unit).toContain(
      "ExecStart=/opt/prometheus-pve-exporter/bin/pve_exporter --config.file=/etc/prometheus/pve.yml --web.listen-address=127.0.0.1:9221",
    );
  });
});
