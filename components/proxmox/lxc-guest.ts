import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { guestTags } from "./tags";

/** A storage-backed volume mounted into the guest (e.g. a ZFS pool for user data). */
export interface GuestVolume {
  /** Proxmox storage id that allocates the volume. */
  storage: string;
  sizeGb: number;
  /** Mount path inside the guest. */
  path: string;
  /** Include in vzdump backups (default true). */
  backup?: boolean;
}

/**
 * A host directory bind-mounted into the guest (e.g. a directory of a cluster NFS storage under
 * /mnt/pve/<storage> that several guests share). Proxmox allows bind mounts to root@pam only.
 */
export interface GuestBindMount {
  /** Absolute path on the Proxmox node. */
  hostPath: string;
  /** Mount path inside the guest. */
  path: string;
}

export interface LxcGuestArgs {
  vmid: number;
  hostname: string;
  node: string;
  /** Static IPv4 address; the prefix length comes from `prefixLength`. */
  ip: string;
  prefixLength: number;
  gateway: string;
  dnsServers: string[];
  dnsDomain?: string;
  bridge: string;
  cores: number;
  memoryMb: number;
  /** Default 512 MB. */
  swapMb?: number;
  diskGb: number;
  /** Storage of the root disk. */
  storage: string;
  /** Volume id of the OS template. */
  templateFileId: pulumi.Input<string>;
  osType: string;
  /** Default true: API tokens cannot create privileged containers, and they are safer. */
  unprivileged?: boolean;
  /** nesting (Docker, systemd features) is allowed with an API token; keyctl needs root@pam. */
  features?: { nesting?: boolean; keyctl?: boolean; fuse?: boolean };
  /** Fixed at creation: any change to mount points replaces the container. */
  volumes?: GuestVolume[];
  /** Also mount points, so also fixed at creation; need the root@pam provider. */
  bindMounts?: GuestBindMount[];
  /** What must exist before the container is created (e.g. the source of a bind mount). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  startOnBoot?: boolean;
  startupOrder?: number;
  /** CPU weight (cgroup cpu units); higher wins under contention. */
  cpuUnits?: number;
  /** Lower-case tags; Proxmox sorts and lower-cases them, so they are given that way. */
  tags: string[];
  description: string;
  sshPublicKeys?: string[];
  /** Protection flag in Proxmox plus Pulumi's protect: stateful guests. */
  protect: boolean;
  /** Provider to use (the root provider when features demand it). */
  provider: proxmoxve.Provider;
}

/** One LXC guest on the site bridge, with sensible defaults so a tier states only what differs. */
export class LxcGuest extends pulumi.ComponentResource {
  readonly vmid: number;
  readonly ip: string;
  readonly hostname: string;
  readonly node: string;
  readonly container: proxmoxve.ContainerLegacy;

  constructor(name: string, args: LxcGuestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:LxcGuest", name, {}, opts);
    this.vmid = args.vmid;
    this.ip = args.ip;
    this.hostname = args.hostname;
    this.node = args.node;
    this.container = new proxmoxve.ContainerLegacy(
      name,
      {
        vmId: args.vmid,
        nodeName: args.node,
        description: args.description,
        tags: guestTags(args.tags),
        unprivileged: args.unprivileged ?? true,
        protection: args.protect,
        startOnBoot: args.startOnBoot ?? true,
        started: true,
        startup: args.startupOrder === undefined ? undefined : { order: args.startupOrder },
        cpu: { cores: args.cores, units: args.cpuUnits ?? 1024 },
        memory: { dedicated: args.memoryMb, swap: args.swapMb ?? 512 },
        disk: { datastoreId: args.storage, size: args.diskGb },
        operatingSystem: { templateFileId: args.templateFileId, type: args.osType },
        features: args.features,
        mountPoints: [
          ...(args.volumes ?? []).map((v) => ({
            volume: v.storage,
            size: `${v.sizeGb}G`,
            path: v.path,
            backup: v.backup ?? true,
          })),
          // shared: the path exists on every node (a cluster storage), so HA may move the guest; the
          // data is backed up where it lives, not in each guest's vzdump.
          ...(args.bindMounts ?? []).map((b) => ({
            volume: b.hostPath,
            path: b.path,
            shared: true,
            backup: false,
            replicate: false,
          })),
        ],
        networkInterfaces: [{ name: "eth0", bridge: args.bridge, firewall: true }],
        initialization: {
          hostname: args.hostname,
          ipConfigs: [{ ipv4: { address: `${args.ip}/${args.prefixLength}`, gateway: args.gateway } }],
          dns: { servers: args.dnsServers, domain: args.dnsDomain },
          userAccount: args.sshPublicKeys?.length ? { keys: args.sshPublicKeys } : undefined,
        },
        timeoutCreate: 1800,
        timeoutDelete: 300,
        timeoutUpdate: 1800,
      },
      {
        parent: this,
        provider: args.provider,
        protect: args.protect,
        dependsOn: args.dependsOn,
        // Fixed VMIDs: the old guest must go before a replacement can take its id.
        deleteBeforeReplace: true,
      },
    );
    this.registerOutputs({ vmid: this.vmid, ip: this.ip, hostname: this.hostname });
  }
}
