/**
 * How long creating one resource of each type takes in a real `pulumi up`, in seconds. Fixed per
 * type on purpose: the simulation measures how the program orders its resources, not how fast one
 * host is. Orders of magnitude from a Proxmox VE 8 node on a 1 Gbit/s uplink with SSD storage.
 */

/** A latency and why it is that. */
export interface LatencyEntry {
  seconds: number;
  why: string;
}

/** Latency by Pulumi type token (exact match). */
export const LATENCY_BY_TYPE: Record<string, LatencyEntry> = {
  "pulumi:pulumi:Stack": { seconds: 0, why: "the program's root; nothing is created" },
  "pulumi:providers:proxmoxve": { seconds: 2, why: "provider plugin start and configure" },
  "pulumi:providers:cloudflare": { seconds: 2, why: "provider plugin start and configure" },
  "pulumi:providers:command": { seconds: 1, why: "provider plugin start" },
  "pulumi:providers:random": { seconds: 1, why: "provider plugin start" },
  "random:index/randomPassword:RandomPassword": { seconds: 0.1, why: "local, no API call" },
  "random:index/randomBytes:RandomBytes": { seconds: 0.1, why: "local, no API call" },
  "proxmoxve:download/file:File": {
    seconds: 60,
    why: "OS template download to the node (120-400 MB) and checksum",
  },
  "proxmoxve:index/containerLegacy:ContainerLegacy": {
    seconds: 40,
    why: "LXC create from the template (unpack onto storage), mount points, first start",
  },
  "proxmoxve:index/vmLegacy:VmLegacy": {
    seconds: 60,
    why: "VM create: system, EFI and TPM disks allocated, PCI mapped, first start",
  },
  "proxmoxve:hardware/mapping/pci:Pci": { seconds: 1, why: "one cluster API call" },
  "proxmoxve:index/timeLegacy:TimeLegacy": { seconds: 1, why: "one node API call" },
  "proxmoxve:backup/job:Job": { seconds: 1, why: "one cluster API call" },
  "command:remote:Command": {
    seconds: 180,
    why: "a provisioning script over SSH: apt installs, configuration, service restarts",
  },
  "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared": {
    seconds: 2,
    why: "one Cloudflare API call",
  },
  "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig": {
    seconds: 2,
    why: "one Cloudflare API call",
  },
  "cloudflare:index/dnsRecord:DnsRecord": { seconds: 2, why: "one Cloudflare API call" },
  "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy": {
    seconds: 2,
    why: "one Cloudflare API call",
  },
  "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication": {
    seconds: 2,
    why: "one Cloudflare API call",
  },
};

/** Latency by type prefix, for families of small API objects (firewall rules, ACLs, …). */
export const LATENCY_BY_PREFIX: { prefix: string; entry: LatencyEntry }[] = [
  { prefix: "proxmoxve:firewall/", entry: { seconds: 1, why: "one Proxmox API call (firewall)" } },
  { prefix: "proxmoxve:cluster/", entry: { seconds: 1, why: "one Proxmox API call (cluster firewall)" } },
  { prefix: "proxmoxve:network/", entry: { seconds: 1, why: "one Proxmox API call (network)" } },
  { prefix: "proxmoxve:index/ha", entry: { seconds: 2, why: "one HA manager API call" } },
  { prefix: "proxmoxve:permission/", entry: { seconds: 1, why: "one Proxmox API call" } },
  { prefix: "cloudflare:", entry: { seconds: 2, why: "one Cloudflare API call" } },
  { prefix: "pulumi:providers:", entry: { seconds: 2, why: "provider plugin start and configure" } },
];

/**
 * Provisioning commands differ most (one `qm set` to a whole application install), so a command
 * whose name ends with one of these roles gets its own latency; any other command the type's.
 */
export const COMMAND_LATENCY_BY_ROLE: { suffix: string; entry: LatencyEntry }[] = [
  { suffix: "-databases", entry: { seconds: 15, why: "SQL only: accounts and grants on a running server" } },
  { suffix: "-exporter", entry: { seconds: 30, why: "one exporter package and its service" } },
  { suffix: "-cloudflared", entry: { seconds: 30, why: "one pinned .deb, the token file, a restart" } },
  { suffix: "-cron", entry: { seconds: 5, why: "a systemd timer written and enabled" } },
  { suffix: "-mount", entry: { seconds: 5, why: "a check of the bind-mounted dataroot" } },
  {
    suffix: "-shared-storage",
    entry: { seconds: 10, why: "on a node: `pvesm status` mounts the NFS storage; owner and marker checked" },
  },
  {
    suffix: "-replication",
    entry: { seconds: 15, why: "CHANGE MASTER and START SLAVE on a running server" },
  },
  { suffix: "-virtio-iso", entry: { seconds: 2, why: "one `qm set` on the node" } },
  {
    suffix: "-hardening",
    entry: { seconds: 60, why: "Fail2Ban installed, sshd drop-in validated, reloads" },
  },
  {
    suffix: "-gpu-passthrough",
    entry: { seconds: 60, why: "kernel options and modprobe files, initramfs rebuilt (no reboot)" },
  },
];

const COMMAND_TYPE = "command:remote:Command";

/** Types whose creation the box measures: commands it runs and guests it boots. */
const MEASURED_TYPES = new Set([COMMAND_TYPE, "proxmoxve:index/containerLegacy:ContainerLegacy"]);

/** Component resources only group their children: registering one creates nothing. */
export const COMPONENT_LATENCY: LatencyEntry = { seconds: 0, why: "component: groups its children" };

/** A custom type the tables do not know: counted, and reported so the table gets extended. */
export const UNKNOWN_LATENCY: LatencyEntry = { seconds: 5, why: "type not in the table (default)" };

/**
 * The latency of a resource in seconds, and whether its type was known. `measured` holds the box's
 * measured seconds by resource name (bench/box-figures/<stack>.json): a provisioning command or a
 * container the box ran takes its measured time, everything else the table's.
 */
export function latencyOf(
  type: string,
  custom: boolean,
  name = "",
  measured?: ReadonlyMap<string, number>,
): { seconds: number; known: boolean } {
  if (!custom && !type.startsWith("pulumi:providers:")) {
    return { seconds: type === "pulumi:pulumi:Stack" ? 0 : COMPONENT_LATENCY.seconds, known: true };
  }
  const box = MEASURED_TYPES.has(type) ? measured?.get(name) : undefined;
  if (box !== undefined) return { seconds: box, known: true };
  if (type === COMMAND_TYPE) {
    const role = COMMAND_LATENCY_BY_ROLE.find((r) => name.endsWith(r.suffix));
    if (role) return { seconds: role.entry.seconds, known: true };
  }
  const exact = LATENCY_BY_TYPE[type];
  if (exact) return { seconds: exact.seconds, known: true };
  const family = LATENCY_BY_PREFIX.find((p) => type.startsWith(p.prefix));
  if (family) return { seconds: family.entry.seconds, known: true };
  return { seconds: UNKNOWN_LATENCY.seconds, known: false };
}
