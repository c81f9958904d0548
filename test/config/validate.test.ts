import { validateSiteConfig } from "../../config/validate";
import { problemsOf, stackValues, type Raw } from "./fixtures/validation";

describe("the committed stack files", () => {
  it.each(["prod", "staging", "school"])("%s validates", (stack) => {
    expect(problemsOf(stackValues(stack), stack)).toEqual([]);
  });

  it("prod holds every guest of the seed's table with its VMID, IP, cores and memory", () => {
    const { config } = validateSiteConfig("prod", stackValues("prod"));
    const seed: [string, number, string, number, number][] = [
      ["database.primary", 100, "192.168.0.10", 4, 8192],
      ["database.replica", 101, "192.168.0.11", 2, 4096],
      ["redis", 102, "192.168.0.12", 2, 4096],
      ["webApps.frontend", 200, "192.168.0.20", 4, 8192],
      ["webApps.backend", 201, "192.168.0.21", 4, 8192],
      ["networkServices", 300, "192.168.0.30", 2, 2048],
      ["monitoring", 301, "192.168.0.31", 2, 4096],
      ["nextcloud.bowbo", 400, "192.168.0.40", 4, 8192],
      ["nextcloud.maro", 401, "192.168.0.41", 4, 8192],
      ["frappe", 500, "192.168.0.50", 6, 4096],
      ["snipeIt", 501, "192.168.0.51", 2, 4096],
      ["passbolt", 502, "192.168.0.52", 2, 2048],
      ["windowsGpu", 900, "192.168.0.60", 8, 16384],
    ];
    for (const [path, vmid, ip, cores, memoryMb] of seed) {
      const guest = path.split(".").reduce<Raw>((o, k) => o[k], config as Raw);
      expect({ path, vmid: guest.vmid, ip: guest.ip, cores: guest.cores, memoryMb: guest.memoryMb }).toEqual({
        path,
        vmid,
        ip,
        cores,
        memoryMb,
      });
    }
  });
});

// Each case breaks one thing in a valid stack and names the key the report must point at.
const badInputs: [string, string, (r: Raw) => void, string][] = [
  ["missing site", "school", (r) => delete r.site, "site: is required"],
  ["missing network", "school", (r) => delete r.network, "network: is required"],
  ["unknown top-level key", "school", (r) => (r.databse = { primary: {} }), "databse: is not a known key"],
  ["unknown nested key", "school", (r) => (r.redis.ram = 4), "redis.ram: is not a known key"],
  ["bad domain", "school", (r) => (r.site.domain = "not a domain"), "site.domain:"],
  ["bad timezone", "school", (r) => (r.site.timezone = "Jakarta time"), "site.timezone:"],
  ["bad admin e-mail", "school", (r) => (r.site.adminEmails = ["admin"]), "site.adminEmails.0:"],
  ["no admin e-mail", "school", (r) => (r.site.adminEmails = []), "site.adminEmails:"],
  ["http endpoint", "school", (r) => (r.proxmox.endpoint = "http://10.10.0.2:8006"), "proxmox.endpoint:"],
  ["no nodes", "school", (r) => (r.proxmox.nodes = []), "proxmox.nodes:"],
  ["bad cpu vendor", "school", (r) => (r.proxmox.nodes[0].cpuVendor = "arm"), "proxmox.nodes.0.cpuVendor:"],
  ["bad bridge", "prod", (r) => (r.network.bridge = "vbr0"), "network.bridge:"],
  ["bad cidr", "school", (r) => (r.network.cidr = "10.10.0.0/33"), "network.cidr:"],
  [
    "cidr with host bits",
    "school",
    (r) => (r.network.cidr = "10.10.0.5/24"),
    "network.cidr: 10.10.0.5/24 has host bits set",
  ],
  [
    "gateway outside subnet",
    "school",
    (r) => (r.network.gateway = "10.99.0.1"),
    "network.gateway: 10.99.0.1 is outside",
  ],
  ["VMID below range", "school", (r) => (r.redis.vmid = 99), "redis.vmid:"],
  ["VMID not whole", "school", (r) => (r.redis.vmid = 102.5), "redis.vmid:"],
  [
    "duplicate VMID",
    "school",
    (r) => (r.redis.vmid = 100),
    "redis.vmid: 100 is already used by database.primary",
  ],
  [
    "replica shares primary's VMID",
    "school",
    (r) => (r.database.replica.vmid = 100),
    "database.replica.vmid: 100 is already used",
  ],
  [
    "replica shares primary's IP",
    "school",
    (r) => (r.database.replica.ip = "10.10.0.10"),
    "database.replica.ip: 10.10.0.10 is already used by database.primary.ip",
  ],
  [
    "IP outside subnet",
    "school",
    (r) => (r.redis.ip = "192.168.1.40"),
    "redis.ip: 192.168.1.40 is outside network.cidr 10.10.0.0/24",
  ],
  [
    "IP is the gateway",
    "school",
    (r) => (r.redis.ip = "10.10.0.1"),
    "redis.ip: 10.10.0.1 is the gateway address",
  ],
  [
    "IP is the broadcast",
    "school",
    (r) => (r.redis.ip = "10.10.0.255"),
    "redis.ip: 10.10.0.255 is the broadcast address",
  ],
  [
    "IP is the network",
    "school",
    (r) => (r.redis.ip = "10.10.0.0"),
    "redis.ip: 10.10.0.0 is the network address",
  ],
  [
    "IP is the host's",
    "school",
    (r) => (r.redis.ip = "10.10.0.2"),
    "redis.ip: 10.10.0.2 is already used by proxmox.nodes.0.address",
  ],
  ["malformed IP", "school", (r) => (r.redis.ip = "10.10.0.300"), "redis.ip:"],
  ["bad hostname", "school", (r) => (r.redis.hostname = "Redis_1"), "redis.hostname:"],
  [
    "duplicate hostname",
    "school",
    (r) => (r.redis.hostname = "moodle-db-primary"),
    'redis.hostname: "moodle-db-primary" is already used',
  ],
  [
    "unknown node",
    "school",
    (r) => (r.redis.node = "pve2"),
    'redis.node: "pve2" is not one of proxmox.nodes',
  ],
  [
    "one Moodle node",
    "school",
    (r) => (r.moodle.nodes = { app1: r.moodle.nodes.app1 }),
    "moodle.nodes: has 1 app node(s); a cluster needs at least 2",
  ],
  [
    "two balancers without VIP",
    "school",
    (r) => delete r.moodle.vip,
    "moodle.vip: is required with two or more load balancers",
  ],
  [
    "VIP with one balancer",
    "school",
    (r) => delete r.moodle.loadBalancers.lb2,
    "moodle.vip: 10.10.0.20 needs a second load balancer",
  ],
  [
    "cron node not a node",
    "school",
    (r) => (r.moodle.cronNode = "app9"),
    'moodle.cronNode: "app9" is not one of moodle.nodes',
  ],
  ["bad Moodle branch", "school", (r) => (r.moodle.branch = "4.5"), "moodle.branch:"],
  [
    "Moodle mirror not https",
    "school",
    (r) => (r.moodle.gitUrl = "git://mirror/moodle.git"),
    "moodle.gitUrl:",
  ],
  [
    "cloudflared mirror not https",
    "school",
    (r) => (r.tunnel.cloudflared.baseUrl = "http://mirror/cf"),
    "tunnel.cloudflared.baseUrl:",
  ],
  [
    "Grafana APT mirror not https",
    "prod",
    (r) => (r.monitoring.grafanaApt = { url: "http://mirror/grafana" }),
    'monitoring.grafanaApt.url: "http://mirror/grafana" must be an https URL without a trailing slash',
  ],
  [
    "Grafana APT mirror key fingerprint not 40 hex digits",
    "prod",
    (r) => (r.monitoring.grafanaApt = { url: "https://mirror/grafana", keyFingerprint: "abc" }),
    'monitoring.grafanaApt.keyFingerprint: "abc" must be a key fingerprint',
  ],
  [
    "AdGuard Home mirror with a trailing slash",
    "prod",
    (r) => (r.networkServices.adguard.baseUrl = "https://mirror/adguard/"),
    'networkServices.adguard.baseUrl: "https://mirror/adguard/" must be an https URL',
  ],
  [
    "hostname outside the zone",
    "school",
    (r) => (r.moodle.publicHostname = "lms.other.example"),
    "moodle.publicHostname: lms.other.example is outside the site's domain school.example",
  ],
  [
    "hostname published twice",
    "prod",
    (r) => (r.snipeIt.publicHostname = "cloud.bowbo.example"),
    "snipeIt.publicHostname: cloud.bowbo.example is already published by nextcloud.bowbo.publicHostname",
  ],
  [
    "CPU over capacity",
    "school",
    (r) => (r.proxmox.nodes[0].cpuThreads = 4),
    "proxmox.nodes.0.cpuThreads: vCPUs 14 is",
  ],
  [
    "memory over capacity",
    "school",
    (r) => (r.proxmox.nodes[0].memoryGb = 32),
    "proxmox.nodes.0.memoryGb: guest memory",
  ],
  ["malformed GPU address", "prod", (r) => (r.windowsGpu.gpu.address = "01:00.0"), "windowsGpu.gpu.address:"],
  [
    "GPU passed through twice",
    "prod",
    (r) => (r.windowsGpu.gpu.audioAddress = "0000:01:00.0"),
    "windowsGpu.gpu.audioAddress: 0000:01:00.0 is the GPU's own address",
  ],
  ["bad PCI id", "prod", (r) => (r.windowsGpu.gpu.ids = ["10de-2684"]), "windowsGpu.gpu.ids.0:"],
  [
    "tunnel connector not a guest",
    "school",
    (r) => (r.tunnel.connectorGuests = ["lb9"]),
    'tunnel.connectorGuests.0: "lb9" is not a guest',
  ],
  [
    "tunnel connector is a VM",
    "prod",
    (r) => (r.tunnel.connectorGuests = ["windows-gpu"]),
    'tunnel.connectorGuests.0: "windows-gpu" is a VM',
  ],
  [
    "tunnel without cloudflare",
    "school",
    (r) => delete r.cloudflare,
    "cloudflare: is required when tunnel is set",
  ],
  ["app without database", "prod", (r) => delete r.database, "nextcloud: needs a database tier"],
  ["Moodle without Redis", "school", (r) => delete r.redis, "moodle: needs a redis tier"],
  [
    "unknown template",
    "school",
    (r) => (r.redis.template = "centos-7"),
    'redis.template: "centos-7" is not a known template',
  ],
  ["bad Cloudflare account id", "school", (r) => (r.cloudflare.accountId = "abc"), "cloudflare.accountId:"],
  [
    "bad firewall rule source",
    "school",
    (r) => (r.firewall = { extraRules: [{ from: "nowhere", to: "redis", port: 6379, purpose: "x" }] }),
    'firewall.extraRules.0.from: "nowhere" is neither a guest key nor an IPv4 CIDR',
  ],
  [
    "wrong type for cores",
    "school",
    (r) => (r.redis.cores = "two"),
    'redis.cores: expected number, found "two"',
  ],
];

describe("a bad stack file", () => {
  it("has at least 30 distinct cases", () => {
    expect(new Set(badInputs.map((c) => c[0])).size).toBeGreaterThanOrEqual(30);
  });

  it.each(badInputs)("%s is reported at its key", (_what, stack, mutate, expected) => {
    const raw = stackValues(stack);
    mutate(raw);
    const problems = problemsOf(raw);
    expect(problems.filter((p) => p.startsWith(expected))).not.toEqual([]);
  });

  it("reports all of three mistakes at once", () => {
    const raw = stackValues("school");
    raw.redis.vmid = 100;
    raw.moodle.publicHostname = "lms.elsewhere.example";
    raw.network.gateway = "172.16.0.1";
    const problems = problemsOf(raw);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^redis\.vmid: 100 is already used/),
        expect.stringMatching(/^moodle\.publicHostname: lms\.elsewhere\.example is outside/),
        expect.stringMatching(/^network\.gateway: 172\.16\.0\.1 is outside/),
      ]),
    );
  });

  it("reports schema mistakes of several tiers together", () => {
    const raw = stackValues("prod");
    raw.redis.ip = "nope";
    raw.frappe.apps = [];
    raw.site.slug = "Bad Slug";
    const paths = problemsOf(raw).map((p) => p.split(":")[0]);
    expect(paths).toEqual(expect.arrayContaining(["redis.ip", "frappe.apps", "site.slug"]));
  });

  it("warns, without failing, when memory is above 85 % of what the node may allocate", () => {
    const { warnings } = validateSiteConfig("prod", stackValues("prod"));
    expect(warnings.map((w) => w.path)).toContain("proxmox.nodes.0.memoryGb");
  });
});
