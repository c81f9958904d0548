import { z } from "zod";
import { guestWith, lxcGuestSchema } from "./guest";
import { cloudflaredVersionProblem } from "./pinned-versions";
import { sharedFilesSchema, sharedStorageSchema } from "./shared-files";
import {
  ADGUARD_UPSTREAM,
  configKey,
  containerImageName,
  dnsName,
  email,
  hostLabel,
  ipv4,
  pciAddress,
  pciId,
  pinnedImageTag,
  positiveInt,
  storageId,
  vmid,
} from "./primitives";

export const databaseSchema = z
  .object({
    primary: lxcGuestSchema,
    replica: lxcGuestSchema.optional(),
    /** Hours between logical dumps. */
    dumpEveryHours: z.number().int().min(1).max(24).default(6),
    dumpRetentionDays: z.number().int().min(1).default(14),
    /** Binary logs are kept this long for point-in-time recovery. */
    binlogExpireDays: z.number().int().min(1).default(7),
  })
  .strict();

export const redisSchema = lxcGuestSchema;

/** A ZFS-backed (or any storage) volume mounted into a guest for user data. */
export const dataVolumeSchema = z
  .object({
    storage: storageId,
    sizeGb: positiveInt,
    path: z.string().regex(/^\/[\w./-]+$/, { message: "must be an absolute path inside the guest" }),
  })
  .strict();

export const nextcloudSchema = guestWith({
  publicHostname: dnsName,
  data: dataVolumeSchema.extend({
    /**
     * Include the volume in vzdump (default false: multi-terabyte user data is protected by the
     * node's ZFS snapshots, `backups.dataSnapshots`, instead of a full copy every night).
     */
    backup: z.boolean().default(false),
  }),
  adminUser: hostLabel.default("admin"),
  /** Redis database of the instance's cache and locks, 1-13; default 1 + the key's sorted position. */
  redisDatabase: z.number().int().min(1).max(13).optional(),
});

export const frappeSchema = guestWith({
  publicHostname: dnsName,
  /** Custom image with the site's apps baked in, e.g. ghcr.io/bowbo/erpnext-custom. */
  image: containerImageName,
  imageTag: pinnedImageTag,
  /** Apps installed on the site besides frappe itself (which is always there). */
  apps: z
    .array(
      z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/, { message: "must be a Frappe app name" })
        .refine((app) => app !== "frappe", { message: "is always installed: do not list frappe" }),
    )
    .min(1)
    .refine((apps) => new Set(apps).size === apps.length, { message: "lists an app twice" }),
  /** Frappe site name; defaults to the public hostname. */
  siteName: dnsName.optional(),
});

export const simpleAppSchema = guestWith({ publicHostname: dnsName });

/**
 * The print server: CUPS, its printers shared to Windows clients by Samba. Printers are added in
 * the CUPS web interface (https://<ip>:631/admin, from the admin networks).
 */
export const printServerSchema = guestWith({
  /** SMB workgroup the server announces. */
  workgroup: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,15}$/, {
      message: "must be a NetBIOS workgroup name (letters, digits, -; at most 15)",
    })
    .default("WORKGROUP"),
  /** Let LAN clients print through Samba without an account (default true: a small office's printers). */
  guestPrinting: z.boolean().default(true),
});

export const webSiteSchema = z
  .object({
    hostname: dnsName,
    /** Port the site's Node.js process listens on inside the guest. */
    port: z.number().int().min(1024).max(65535),
  })
  .strict();

export const webAppsSchema = z
  .object({
    frontend: guestWith({ sites: z.array(webSiteSchema).default([]) }),
    backend: guestWith({ sites: z.array(webSiteSchema).default([]) }),
  })
  .strict();

/** An https URL without a trailing slash (a mirror's base). */
const mirrorUrl = z.string().regex(/^https:\/\/[A-Za-z0-9.:/_-]+[^/]$/, {
  message: "must be an https URL without a trailing slash",
});

/**
 * A mirror of Grafana's APT repository (an aptly or reprepro mirror re-signed with the site's own
 * key, or a plain copy keeping Grafana's signature). Unset: https://apt.grafana.com and its key.
 */
export const grafanaAptSchema = z
  .object({
    /** The repository root: `deb <url> stable main`. */
    url: mirrorUrl,
    /** The armored public key the repository is signed with; default `<url>/gpg.key`. */
    keyUrl: mirrorUrl.optional(),
    /** Its fingerprint (40 upper-case hex digits); default Grafana's own key's. */
    keyFingerprint: z
      .string()
      .regex(/^[0-9A-F]{40}$/, { message: "must be a key fingerprint: 40 upper-case hex digits" })
      .optional(),
  })
  .strict();

export const monitoringSchema = guestWith({
  grafanaHostname: dnsName.optional(),
  grafanaApt: grafanaAptSchema.optional(),
  alertEmails: z.array(email).optional(),
  smtpSmarthost: z
    .string()
    .regex(/^[\w.-]+:\d+$/, { message: "must be host:port" })
    .default("smtp.gmail.com:587"),
  smtpFrom: email.optional(),
  telegramChatId: z
    .string()
    .regex(/^-?\d+$/, { message: "must be a numeric Telegram chat id" })
    .optional(),
  replicationLagSeconds: z.number().int().min(1).default(300),
});

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { message: "must be a lower-case hex SHA-256 digest" });

/**
 * An AdGuard Home release: the version, and optionally the SHA-256 of AdGuardHome_linux_amd64.tar.gz.
 * Without the digest the install verifies against the release's own checksums.txt.
 */
export const adguardReleaseSchema = z
  .object({
    version: z.string().regex(/^v\d+\.\d+\.\d+$/, { message: "must be a release tag such as v0.107.79" }),
    sha256: sha256.optional(),
    /**
     * Where the release files are downloaded from (a local mirror): `<baseUrl>/<version>/<file>`
     * for the tarball and checksums.txt. Default AdGuard Home's GitHub releases.
     */
    baseUrl: mirrorUrl.optional(),
  })
  .strict();

/** A pinned cloudflared release: version and the SHA-256 of cloudflared-linux-amd64.deb. */
export const cloudflaredReleaseSchema = z
  .object({
    version: z.string().superRefine((version, ctx) => {
      const problem = cloudflaredVersionProblem(version);
      if (problem)
        ctx.addIssue({ code: "custom", message: `must be a release such as 2026.9.3: ${problem}` });
    }),
    sha256,
    /**
     * Where the release files are downloaded from (a local mirror): `<baseUrl>/<version>/<file>`.
     * Default cloudflared's GitHub releases.
     */
    baseUrl: z
      .string()
      .regex(/^https:\/\/[A-Za-z0-9.:/_-]+[^/]$/, {
        message: "must be an https URL without a trailing slash",
      })
      .default("https://github.com/cloudflare/cloudflared/releases/download"),
  })
  .strict();

export const networkServicesSchema = guestWith({
  /** AdGuard Home is installed only from a pinned release, verified before it runs. */
  adguard: adguardReleaseSchema.optional(),
  adguardHostname: dnsName.optional(),
  upstreamDns: z
    .array(
      z.string().regex(ADGUARD_UPSTREAM, {
        message: "must be an AdGuard upstream: an address or a tls://, https://, quic://… URL",
      }),
    )
    .min(1)
    .default(["https://dns.cloudflare.com/dns-query", "1.1.1.1"]),
});

/** The cluster's NFS storage of the shared moodledata: storage id default moodle-shared, directory moodledata. */
export const moodleSharedStorageSchema = sharedStorageSchema(
  storageId.default("moodle-shared"),
  "moodledata",
);

export const moodleSchema = z
  .object({
    publicHostname: dnsName,
    /** Moodle git branch, e.g. MOODLE_405_STABLE. */
    branch: z
      .string()
      .regex(/^MOODLE_\d{2,3}_STABLE$/, { message: "must be a branch such as MOODLE_405_STABLE" }),
    /** Git repository the app nodes clone Moodle from (a local mirror); default Moodle's own. */
    gitUrl: z
      .string()
      .regex(/^https:\/\/[A-Za-z0-9./_-]+$/, {
        message: "must be an https URL such as https://git.example/moodle.git",
      })
      .default("https://github.com/moodle/moodle.git"),
    /** Load balancers by key; two or more share `vip` through keepalived. */
    loadBalancers: z.record(configKey, lxcGuestSchema).refine((m) => Object.keys(m).length >= 1, {
      message: "must define at least one load balancer",
    }),
    /** Floating address of the balancers; required with two or more. */
    vip: ipv4.optional(),
    /** Balancer key that holds the VIP first (keepalived MASTER); default the first key in sorted order. */
    primaryBalancer: configKey.optional(),
    /** App nodes by key: adding one replaces nothing. */
    nodes: z.record(configKey, lxcGuestSchema),
    /**
     * Proxmox node serving the shared moodledata over NFS (NFS-Ganesha) to the nodes, from `path` on
     * it (no NFS server runs in a container). Optional when sharedStorage.server is an external NAS.
     */
    sharedFiles: sharedFilesSchema.optional(),
    /** The cluster's NFS storage the app nodes' shared dataroot comes from. */
    sharedStorage: moodleSharedStorageSchema.prefault({}),
    /** Key of the node that runs cron; defaults to the first node key in sorted order. */
    cronNode: configKey.optional(),
    adminUser: hostLabel.default("admin"),
    /**
     * HAProxy health-check page. The rendered /healthz checks config.php and the shared dataroot
     * without opening a session or touching the database (a database outage must not take every
     * node out at once).
     */
    healthCheckPath: z
      .string()
      .regex(/^\/\S*$/)
      .default("/healthz"),
    statsHostname: dnsName.optional(),
  })
  .strict();

export const windowsGpuSchema = z
  .object({
    vmid,
    name: hostLabel,
    /**
     * The workstation's address. The program cannot set it inside Windows (installed from ISO:
     * no cloud-init): the plan prints how (a DHCP reservation for `macAddress`, or static in Windows).
     */
    ip: ipv4,
    /**
     * MAC address of the VM's NIC, for the DHCP reservation; default derived from the site slug and
     * VMID (locally administered, stable). State the VM's current MAC for a VM created before.
     */
    macAddress: z
      .string()
      .regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/, {
        message: "must be a MAC address in upper case, e.g. 02:AB:CD:EF:01:23",
      })
      .refine((mac) => (parseInt(mac.slice(0, 2), 16) & 1) === 0, { message: "must be a unicast address" })
      .optional(),
    cores: positiveInt,
    memoryMb: positiveInt.min(4096),
    diskGb: positiveInt.min(64),
    storage: storageId.optional(),
    node: hostLabel.optional(),
    gpu: z
      .object({
        /** PCI address of the GPU function, e.g. 0000:01:00.0. */
        address: pciAddress,
        /** Its audio function, e.g. 0000:01:00.1; passed through with it. */
        audioAddress: pciAddress.optional(),
        /** vendor:device ids for vfio-pci (GPU, audio). */
        ids: z.array(pciId).min(1),
        /** IOMMU group of the GPU (Proxmox's PCI mapping needs it). */
        iommuGroup: z.number().int().min(0),
        /** Subsystem vendor:device id of the GPU. */
        subsystemId: pciId,
        audioSubsystemId: pciId.optional(),
      })
      .strict(),
    windowsIso: z.string().regex(/^[\w.-]+:iso\/[\w.+-]+\.iso$/, {
      message: "must be a Proxmox ISO volume such as local:iso/Win11_24H2.iso",
    }),
    virtioIso: z.string().regex(/^[\w.-]+:iso\/[\w.+-]+\.iso$/, {
      message: "must be a Proxmox ISO volume such as local:iso/virtio-win.iso",
    }),
    protect: z.boolean().optional(),
  })
  .strict();

export const gpuHostSchema = z
  .object({
    enabled: z.boolean().default(false),
    acsOverride: z.boolean().default(false),
    bootloader: z.enum(["grub", "systemd-boot"]).default("grub"),
    blacklist: z.array(z.string().regex(/^[a-z0-9_]+$/)).default(["nouveau", "nvidia", "nvidiafb", "radeon"]),
  })
  .strict();

export const tunnelSchema = z
  .object({
    name: z.string().regex(/^[\w-]+$/, { message: "must be a tunnel name of letters, digits, - and _" }),
    /** Guest keys (as in the IP plan) that run cloudflared; two give the tunnel a standby connector. */
    connectorGuests: z.array(z.string().min(1)).min(1, { message: "must name at least one connector guest" }),
    /** Publishes the Proxmox UI behind Access when set. */
    proxmoxHostname: dnsName.optional(),
    /** Access session length, e.g. 24h. */
    accessSessionDuration: z
      .string()
      .regex(/^\d+[mh]$/)
      .default("24h"),
    /** The connector is installed only from a pinned, verified release. */
    cloudflared: cloudflaredReleaseSchema.optional(),
    /** E-mail domain allowed through Access besides the admin e-mails, e.g. bowbo.co.id. */
    accessEmailDomain: dnsName.optional(),
  })
  .strict();
