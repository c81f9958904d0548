import { problemsOf, stackValues, type Raw } from "./fixtures/validation";

/**
 * Values Proxmox or a daemon parses later (time zones, schedules, addresses, identifiers, storages,
 * pinned releases, name shapes), each refused at its stack key by validation, before any resource.
 */

const renamed = (map: Raw, from: string, to: string) => {
  map[to] = map[from];
  delete map[from]; // eslint-disable-line @typescript-eslint/no-dynamic-delete
};

const cases: [string, string, (r: Raw) => void, string][] = [
  [
    "time zone with a typo",
    "school",
    (r) => (r.site.timezone = "Asia/Jakrta"),
    'site.timezone: "Asia/Jakrta" is not an IANA time zone such as Asia/Jakarta or UTC (did you mean Asia/Jakarta?)',
  ],
  ["time zone in lower case", "school", (r) => (r.site.timezone = "asia/jakarta"), "site.timezone: "],
  ["time zone as an offset", "school", (r) => (r.site.timezone = "+07:00"), "site.timezone: "],
  [
    "schedule at hour 25",
    "school",
    (r) => (r.backups.schedule = "25:00"),
    'backups.schedule: "25:00" is not a Proxmox calendar event: hour 25 is outside 0..23',
  ],
  [
    "schedule with a time zone",
    "prod",
    (r) => (r.backups.dataSnapshots = { schedule: "sun 03:00 UTC" }),
    'backups.dataSnapshots.schedule: "sun 03:00 UTC" is not a Proxmox calendar event',
  ],
  ["schedule in words", "prod", (r) => (r.backups.schedule = "every night"), "backups.schedule: "],
  [
    "node on the network address",
    "school",
    (r) => (r.proxmox.nodes[0].address = "10.10.0.0"),
    "proxmox.nodes.0.address: 10.10.0.0 is the network address of 10.10.0.0/24",
  ],
  [
    "node on the broadcast address",
    "school",
    (r) => (r.proxmox.nodes[0].address = "10.10.0.255"),
    "proxmox.nodes.0.address: 10.10.0.255 is the broadcast address of 10.10.0.0/24",
  ],
  [
    "node on the gateway",
    "school",
    (r) => (r.proxmox.nodes[0].address = "10.10.0.1"),
    "proxmox.nodes.0.address: 10.10.0.1 is the gateway address",
  ],
  [
    "floating address on the gateway",
    "school",
    (r) => (r.moodle.vip = "10.10.0.1"),
    "moodle.vip: 10.10.0.1 is the gateway address",
  ],
  [
    "floating address on the broadcast address",
    "school",
    (r) => (r.moodle.vip = "10.10.0.255"),
    "moodle.vip: 10.10.0.255 is the broadcast address of 10.10.0.0/24",
  ],
  [
    "gateway on the network address",
    "school",
    (r) => (r.network.gateway = "10.10.0.0"),
    "network.gateway: 10.10.0.0 is the network address of 10.10.0.0/24",
  ],
  [
    "Nextcloud key with a hyphen (not a MariaDB identifier)",
    "prod",
    (r) => renamed(r.nextcloud, "bowbo", "bowbo-group"),
    'nextcloud.bowbo-group: the key "bowbo-group" must be lower-case letters and digits, starting with a letter, at most 22 characters: it names the MariaDB database and user nextcloud_<key>',
  ],
  [
    "Nextcloud key too long for a MariaDB user name",
    "prod",
    (r) => renamed(r.nextcloud, "maro", "maroanugrahjayaoffices1"),
    'nextcloud.maroanugrahjayaoffices1: the key "maroanugrahjayaoffices1" must be',
  ],
  [
    "guest on an undeclared storage",
    "school",
    (r) => (r.redis.storage = "tank"),
    'redis.storage: "tank" is not a storage of this stack (local, local-lvm): add it to proxmox.storage.additional',
  ],
  [
    "files node that is not a node of the cluster",
    "school",
    (r) => (r.moodle.sharedFiles.node = "pve-nas"),
    'moodle.sharedFiles.node: "pve-nas" is not one of proxmox.nodes (pve-school, pve-school2, pve-school3, pve-school4)',
  ],
  [
    "files guest of an older stack",
    "school",
    (r) => (r.moodle.sharedFiles = { vmid: 220, hostname: "moodle-files", ip: "10.10.0.40", data: {} }),
    'moodle.sharedFiles: {"data":{},"hostname":"moodle-files","ip":"10.10.0.40","vmid":220} has vmid, hostname, ip, data of a files guest, but the files server is now a Proxmox node',
  ],
  [
    "ISO on an undeclared storage",
    "prod",
    (r) => (r.windowsGpu.windowsIso = "isos:iso/Win11_24H2.iso"),
    'windowsGpu.windowsIso: "isos" is not a storage of this stack',
  ],
  [
    "VM disk on an undeclared storage",
    "prod",
    (r) => (r.windowsGpu.storage = "fast-nvme"),
    'windowsGpu.storage: "fast-nvme" is not a storage of this stack',
  ],
  [
    "moving image tag",
    "prod",
    (r) => (r.frappe.imageTag = "latest"),
    'frappe.imageTag: "latest" is a moving tag (it changes under the same name): pin a release such as v15.40.0',
  ],
  ["image name in upper case", "prod", (r) => (r.frappe.image = "ghcr.io/Bowbo/erpnext"), "frappe.image: "],
  ["image tag starting with a dot", "prod", (r) => (r.frappe.imageTag = ".v15"), "frappe.imageTag: "],
  [
    "frappe listed as an app",
    "prod",
    (r) => r.frappe.apps.push("frappe"),
    'frappe.apps.6: "frappe" is always installed: do not list frappe',
  ],
  ["an app listed twice", "prod", (r) => r.frappe.apps.push("hrms"), "frappe.apps: "],
  [
    "cloudflared too old for --token-file",
    "school",
    (r) => (r.tunnel.cloudflared.version = "2024.12.2"),
    "tunnel.cloudflared.version: ",
  ],
  [
    "AdGuard upstream that is no upstream",
    "prod",
    (r) => (r.networkServices.upstreamDns = ["dns cloudflare"]),
    "networkServices.upstreamDns.0: ",
  ],
  [
    "AdGuard with nothing to resolve its upstreams with",
    "prod",
    (r) => {
      r.networkServices.upstreamDns = ["https://dns.cloudflare.com/dns-query"];
      r.network.dns = ["192.168.0.30"];
    },
    "networkServices.upstreamDns: has no plain IP address, and network.dns has no server other than AdGuard itself (192.168.0.30)",
  ],
  [
    "Moodle nodes on different templates",
    "school",
    (r) => (r.moodle.nodes.app2.template = "ubuntu-22-04"),
    `moodle.nodes.app2.template: "ubuntu-22-04" differs from moodle.nodes.app1's "debian-12"`,
  ],
  [
    "two web sites with the same service name",
    "prod",
    (r) => r.webApps.frontend.sites.push({ hostname: "www-bowbo.example", port: 3001 }),
    "webApps.frontend.sites.1.hostname: www-bowbo.example and webApps.frontend.sites.0.hostname would share the service and user name www-bowbo-example",
  ],
  [
    "two web sites on one port",
    "prod",
    (r) => r.webApps.frontend.sites.push({ hostname: "shop.bowbo.example", port: 3000 }),
    "webApps.frontend.sites.1.port: 3000 is already the port of webApps.frontend.sites.0 on the same guest",
  ],
];

describe("a value a daemon would refuse later", () => {
  it.each(cases)("%s is refused at its stack key", (_what, stack, mutate, expected) => {
    const raw = stackValues(stack);
    mutate(raw);
    const problems = problemsOf(raw);
    expect(problems.filter((p) => p.startsWith(expected))).not.toEqual([]);
  });

  it("is reported with every other cross-key problem at once", () => {
    const raw = stackValues("prod");
    raw.proxmox.nodes[0].address = "192.168.0.1";
    raw.redis.storage = "tank";
    raw.webApps.frontend.sites.push({ hostname: "shop.bowbo.example", port: 3000 });
    raw.nextcloud.bowbo.data.storage = "nas";
    const paths = problemsOf(raw).map((p) => p.split(":")[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        "proxmox.nodes.0.address",
        "redis.storage",
        "webApps.frontend.sites.1.port",
        "nextcloud.bowbo.data.storage",
      ]),
    );
  });

  it("accepts the committed stacks' values (time zones, schedules, storages)", () => {
    for (const stack of ["prod", "staging", "school"]) expect(problemsOf(stackValues(stack))).toEqual([]);
  });
});
