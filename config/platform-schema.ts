import { z } from "zod";
import {
  calendarEvent,
  cidrv4,
  configKey,
  dnsName,
  email,
  hostLabel,
  ipv4,
  positiveInt,
  storageId,
  timeZone,
} from "./primitives";

export const siteSchema = z
  .object({
    /** Client's display name, as in the proposal. */
    client: z.string().min(1, { message: "must name the client" }),
    /** Short lower-case client id used in tags and resource names. */
    slug: hostLabel,
    /** Public DNS zone on Cloudflare; every published hostname lies inside it. */
    domain: dnsName,
    /** IANA time zone of the site, e.g. Asia/Jakarta (backups run at local time). */
    timezone: timeZone,
    /** Internal DNS suffix that AdGuard answers for guests, e.g. bowbo.lan. */
    internalDomain: z
      .string()
      .regex(/^([a-z0-9-]+\.)*[a-z0-9-]+$/, { message: "must be a DNS suffix such as site.lan" })
      .default("site.lan"),
    /** Administrators: Cloudflare Access lets them in; alerts go to them. */
    adminEmails: z.array(email).min(1, { message: "must list at least one administrator e-mail" }),
  })
  .strict();

export const proxmoxNodeSchema = z
  .object({
    /** Node name as Proxmox knows it (pvecm nodes). */
    name: hostLabel,
    /** Address the operator's machine reaches for SSH provisioning. */
    address: ipv4,
    cpuVendor: z.enum(["amd", "intel"]),
    /** Logical CPUs Proxmox reports (threads), which vCPUs are counted against. */
    cpuThreads: positiveInt,
    memoryGb: positiveInt,
    /** Memory the host keeps for itself (ZFS ARC, pve services), in GB. */
    reservedMemoryGb: z.number().min(0).default(4),
  })
  .strict();

export const proxmoxSchema = z
  .object({
    /** API endpoint, e.g. https://192.168.0.2:8006/ */
    endpoint: z.string().regex(/^https:\/\/[^\s/]+(:\d+)?\/?$/, {
      message: "must be the https URL of the Proxmox API, e.g. https://192.168.0.2:8006/",
    }),
    /** Accept the node's self-signed certificate. */
    insecure: z.boolean().default(false),
    /** User for SSH to the nodes (provisioning with pct exec, snippets). */
    sshUser: z.string().min(1).default("root"),
    nodes: z.array(proxmoxNodeSchema).min(1, { message: "must list at least one Proxmox node" }),
    /** vCPUs allowed per logical CPU (2 = the seed's 1:2 policy). */
    cpuOvercommitRatio: z.number().min(1).max(8).default(1),
    /** Guest memory allowed per GB of usable host memory (1 = no overcommit). */
    memoryOvercommitRatio: z.number().min(1).max(2).default(1),
    storage: z
      .object({
        templates: storageId.default("local"),
        iso: storageId.default("local"),
        rootfs: storageId.default("local-lvm"),
        backups: storageId.default("local"),
        /**
         * The node's other storages (as `pvesm status` lists them) that guests, data volumes, ISOs or
         * backups name; a storage the stack names must be one of the roles above or listed here.
         */
        additional: z.array(storageId).default([]),
      })
      .strict()
      .default({ templates: "local", iso: "local", rootfs: "local-lvm", backups: "local", additional: [] }),
  })
  .strict();

export const networkSchema = z
  .object({
    bridge: z.string().regex(/^vmbr\d+$/, { message: "must be a Proxmox bridge name such as vmbr0" }),
    cidr: cidrv4,
    gateway: ipv4,
    /** Resolvers the guests use, in order. */
    dns: z.array(ipv4).min(1, { message: "must list at least one DNS server" }),
    /** Networks from which administrators reach SSH, the Proxmox UI and admin tools. */
    adminCidrs: z.array(cidrv4).min(1, { message: "must list at least one admin network" }),
  })
  .strict();

export const cloudflareSchema = z
  .object({
    accountId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, { message: "must be a 32-character Cloudflare account id" }),
    zoneId: z.string().regex(/^[0-9a-f]{32}$/, { message: "must be a 32-character Cloudflare zone id" }),
  })
  .strict();

export const templateSchema = z
  .object({
    /** Versioned download URL of the vztmpl archive. */
    url: z.string().regex(/^https:\/\/\S+$/, { message: "must be an https URL" }),
    fileName: z
      .string()
      .regex(/^[\w.+-]+\.tar\.(gz|xz|zst)$/, { message: "must be a .tar.gz/.xz/.zst name" }),
    /** Digest from the publisher's index; without it the download is not verified (the plan warns). */
    checksum: z
      .string()
      .regex(/^[0-9a-f]{64}$|^[0-9a-f]{128}$/, { message: "must be a hex sha256 or sha512 digest" })
      .optional(),
    checksumAlgorithm: z.enum(["sha256", "sha512"]).default("sha512"),
    /** Value of operating_system.type (ubuntu, debian, …). */
    osType: z.enum(["ubuntu", "debian", "alpine", "centos", "fedora", "archlinux", "unmanaged"]),
  })
  .strict();

/** ZFS snapshots of the data volumes vzdump leaves out, taken on the node by a systemd timer. */
export const dataSnapshotsSchema = z
  .object({
    /** systemd calendar event of the snapshot run, node local time (default hourly). */
    schedule: calendarEvent.default("hourly"),
    /** Hourly snapshots kept per volume (the newest ones). */
    keepHourly: z.number().int().min(1).default(24),
    /** Daily snapshots kept per volume (the first run of each day takes one). */
    keepDaily: z.number().int().min(1).default(30),
  })
  .strict();

export const backupsSchema = z
  .object({
    /**
     * systemd calendar event of the one vzdump job of every guest, in the site timezone. One job per
     * storage and schedule: Proxmox prunes per guest and storage whichever job wrote the backups.
     */
    schedule: calendarEvent.default("02:00"),
    /** Retention, applied together in Proxmox's order (daily, then weekly, then monthly). */
    keepDaily: z.number().int().min(0).default(30),
    keepWeekly: z.number().int().min(0).default(4),
    keepMonthly: z.number().int().min(0).default(0),
    mode: z.enum(["snapshot", "suspend", "stop"]).default("snapshot"),
    /** Where to send the job's mail (defaults to the site's admins). */
    mailTo: z.array(email).optional(),
    /** Size of the backup storage (proxmox.storage.backups) in GB: the capacity check needs it. */
    storageSizeGb: positiveInt.optional(),
    /**
     * Expected size of one vzdump archive as a percentage of the guest's backed-up disks (what
     * the disks hold, zstd-compressed). A directory storage keeps every point in full, without
     * deduplication. Default 50: half-full disks that do not compress, or full ones at 2:1.
     */
    archivePercentOfDisk: z.number().min(1).max(100).default(50),
    /** Protection of the data volumes left out of vzdump (e.g. `nextcloud.<key>.data`). */
    dataSnapshots: dataSnapshotsSchema.default({ schedule: "hourly", keepHourly: 24, keepDaily: 30 }),
  })
  .strict();

export const extraFirewallRuleSchema = z
  .object({
    /** Guest key (as in the IP plan) or a CIDR. */
    from: z.string().min(1),
    to: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(["tcp", "udp"]).default("tcp"),
    purpose: z.string().min(1),
  })
  .strict();

export const firewallSchema = z
  .object({
    enabled: z.boolean().default(true),
    extraRules: z.array(extraFirewallRuleSchema).default([]),
  })
  .strict();

export const hardeningSchema = z
  .object({
    enabled: z.boolean().default(true),
    permitRootLogin: z.enum(["prohibit-password", "no"]).default("prohibit-password"),
    fail2banMaxRetry: z.number().int().min(1).default(5),
    fail2banBanMinutes: z.number().int().min(1).default(60),
  })
  .strict();

export const templatesSchema = z.record(configKey, templateSchema);
