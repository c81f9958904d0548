/**
 * Every target in the prometheus.yml the monitoring guest is given has a registered provisioning
 * command behind it that installs that exporter, listening on that port, on that guest or node.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { PROMETHEUS_CONFIG_PATH } from "../../components/monitoring/paths";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring } from "../../config/wiring";
import { runUnderMocks, type MockRun, type RecordedResource } from "../../scripts/lib/mock-run";

const root = resolve(__dirname, "../..");
const COMMAND = "command:remote:Command";

/** The stack as committed, plus the pve-exporter token so the proxmox job is rendered too. */
function stackWithPveToken(stack: string): string {
  const dir = mkdtempSync(join(tmpdir(), "scrape-targets-"));
  const doc = parse(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  doc.config["proxmox-sites:pveExporterToken"] = { secure: `v1:${randomBytes(12).toString("base64")}` };
  writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stringify(doc));
  return dir;
}

/** Text of a file a rendered script writes (its heredoc), or undefined. */
function fileIn(script: string, path: string): string | undefined {
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const m = new RegExp(`# ${escaped}\\n[\\s\\S]*?<<'(\\w+)'\\n([\\s\\S]*?)\\n\\1\\n`).exec(script);
  return m?.[2];
}

interface ScrapeConfig {
  job_name: string;
  static_configs: { targets: string[]; labels: Record<string, string> }[];
  relabel_configs?: { target_label: string; replacement?: string }[];
}

/** What a script must hold to install and configure the exporter of a job on a port. */
const installs: Record<string, (script: string, port: number) => boolean> = {
  // Debian's prometheus-node-exporter listens on :9100 unless told otherwise.
  node: (s, port) => s.includes("prometheus-node-exporter") && port === 9100,
  mysqld: (s, port) =>
    s.includes("prometheus-mysqld-exporter") && s.includes(`--web.listen-address=:${port}`),
  redis: (s, port) => s.includes("prometheus-redis-exporter") && s.includes(`--web.listen-address=:${port}`),
  haproxy: (s, port) =>
    s.includes("http-request use-service prometheus-exporter") && new RegExp(`bind \\S*:${port}\\n`).test(s),
  proxmox: (s, port) =>
    s.includes("bin/pve_exporter") && s.includes(`--web.listen-address=127.0.0.1:${port}`),
};

describe.each(["prod", "staging", "school"])("scrape targets of %s", (stack) => {
  let run: MockRun;
  let dir: string;
  const { config } = validateSiteConfig(stack, readStackFile(root, stack).values);
  const wiring = siteWiring(config);
  const monitoring = wiring.guests.find((g) => g.key === "monitoring")!;

  beforeAll(async () => {
    dir = stackWithPveToken(stack);
    run = await runUnderMocks(stack, dir);
  }, 60000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const commands = () => run.resources.filter((r) => r.type === COMMAND);
  const scriptOf = (c: RecordedResource) => String(run.clearInputs.get(c.urn)?.stdin ?? "");
  // The connection is secret as a whole (it carries the SSH key): read its host in clear.
  const connectionHost = (c: RecordedResource) =>
    (run.clearInputs.get(c.urn)?.connection as { host: string }).host;

  /** Commands that run on the guest or node at this address (127.0.0.1 is the monitoring guest itself). */
  function commandsAt(address: string): RecordedResource[] {
    const ip = address === "127.0.0.1" ? monitoring.ip : address;
    const guest = wiring.guests.find((g) => g.ip === ip);
    if (guest) {
      const node = config.proxmox.nodes.find((n) => n.name === guest.node)!;
      return commands().filter(
        (c) => c.inputs.create === `pct exec ${guest.vmid} -- bash -s` && connectionHost(c) === node.address,
      );
    }
    const node = config.proxmox.nodes.find((n) => n.address === ip);
    if (!node) throw new Error(`${address} is neither a guest nor a node of ${stack}`);
    return commands().filter((c) => c.inputs.create === "bash -s" && connectionHost(c) === node.address);
  }

  it("every target in the rendered prometheus.yml has a registered step installing its exporter there", () => {
    const install = commands().find((c) => c.name === "monitoring-install")!;
    const prometheus = parse(fileIn(scriptOf(install), PROMETHEUS_CONFIG_PATH)!) as {
      scrape_configs: ScrapeConfig[];
    };
    const checked: string[] = [];
    const missing: string[] = [];
    for (const job of prometheus.scrape_configs) {
      // The proxmox job scrapes pve-exporter (the relabelled __address__), on behalf of each node.
      const via = job.relabel_configs?.find((r) => r.target_label === "__address__")?.replacement;
      for (const target of job.static_configs.flatMap((s) => s.targets)) {
        const [address, port] = (via ?? target).split(":");
        const found = commandsAt(address).some((c) => installs[job.job_name](scriptOf(c), Number(port)));
        checked.push(`${job.job_name} ${target}`);
        if (!found) missing.push(`${job.job_name} ${via ?? target}`);
      }
    }
    expect(missing).toEqual([]);
    // Every node's own exporter is among them.
    for (const node of config.proxmox.nodes) expect(checked).toContain(`node ${node.address}:9100`);
    expect(checked.some((t) => t.startsWith("proxmox "))).toBe(true);
  });

  it("the check can fail: a node with no installing step is reported", () => {
    const node = config.proxmox.nodes[0];
    const others = commandsAt(node.address).filter((c) => !c.name.endsWith("-node-exporter"));
    expect(others.some((c) => installs.node(scriptOf(c), 9100))).toBe(false);
  });
});
