import * as command from "@pulumi/command";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { NodeConnection } from "../proxmox/provisioner";
import { guestTags } from "../proxmox/tags";

export interface PciFunction {
  /** e.g. 0000:01:00.0 */
  address: string;
  /** vendor:device, e.g. 10de:2684 */
  id: string;
  subsystemId: string;
  iommuGroup: number;
}

export interface WindowsGpuVmArgs {
  vmid: number;
  name: string;
  node: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  /** Storage for the system disk, the EFI disk and the TPM state. */
  storage: string;
  bridge: string;
  windowsIso: string;
  virtioIso: string;
  gpu: PciFunction;
  gpuAudio?: PciFunction;
  tags: string[];
  protect: boolean;
  provider: proxmoxve.Provider;
  /** SSH to the node, to attach the second ISO the provider's single CD-ROM slot cannot hold. */
  connection: NodeConnection;
}

/**
 * Windows 11 on q35 + OVMF with Secure Boot keys, TPM 2.0, virtio-scsi and a passed-through GPU.
 * The GPU goes through PCI hardware mappings, so an API token with Mapping.Use can attach it
 * (raw hostpci addresses need root@pam).
 */
export class WindowsGpuVm extends pulumi.ComponentResource {
  readonly vm: proxmoxve.VmLegacy;
  readonly mappings: proxmoxve.hardware.mapping.Pci[];

  constructor(name: string, args: WindowsGpuVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:compute:WindowsGpuVm", name, {}, opts);
    const functions = [
      { role: "gpu", fn: args.gpu },
      ...(args.gpuAudio ? [{ role: "gpu-audio", fn: args.gpuAudio }] : []),
    ];
    this.mappings = functions.map(
      ({ role, fn }) =>
        new proxmoxve.hardware.mapping.Pci(
          `${name}-${role}`,
          {
            name: `${args.name}-${role}`,
            comment: `${role} of ${args.name}`,
            maps: [
              {
                node: args.node,
                path: fn.address,
                id: fn.id,
                subsystemId: fn.subsystemId,
                iommuGroup: fn.iommuGroup,
              },
            ],
          },
          { parent: this, provider: args.provider },
        ),
    );
    this.vm = new proxmoxve.VmLegacy(
      name,
      {
        vmId: args.vmid,
        name: args.name,
        nodeName: args.node,
        description: "Windows 11 render workstation with GPU passthrough (managed by proxmox-sites)",
        tags: guestTags(args.tags),
        machine: "q35",
        bios: "ovmf",
        operatingSystem: { type: "win11" },
        cpu: { type: "host", cores: args.cores, sockets: 1, numa: true },
        memory: { dedicated: args.memoryMb },
        numas: [
          {
            device: "numa0",
            cpus: `0-${args.cores - 1}`,
            memory: args.memoryMb,
            hostnodes: "0",
            policy: "preferred",
          },
        ],
        scsiHardware: "virtio-scsi-single",
        efiDisk: { datastoreId: args.storage, type: "4m", preEnrolledKeys: true, fileFormat: "raw" },
        // Changing the TPM version replaces the VM: pinned to v2.0 for Windows 11.
        tpmState: { datastoreId: args.storage, version: "v2.0" },
        disks: [
          {
            interface: "scsi0",
            datastoreId: args.storage,
            size: args.diskGb,
            ssd: true,
            discard: "on",
            iothread: true,
            fileFormat: "raw",
          },
        ],
        cdrom: { fileId: args.windowsIso, interface: "ide2" },
        networkDevices: [{ bridge: args.bridge, model: "virtio", firewall: true }],
        hostpcis: this.mappings.map((m, i) => ({
          device: `hostpci${i}`,
          mapping: m.name,
          pcie: true,
          xvga: i === 0,
        })),
        vga: { type: "none" },
        // Enable only once qemu-guest-agent runs inside Windows (installed from the virtio ISO).
        agent: { enabled: true, trim: true, timeout: "15m" },
        onBoot: true,
        started: true,
        stopOnDestroy: true,
        protection: args.protect,
        timeoutCreate: 1800,
      },
      {
        parent: this,
        provider: args.provider,
        protect: args.protect,
        dependsOn: this.mappings,
        deleteBeforeReplace: true,
      },
    );
    // VmLegacy has a single CD-ROM slot; the virtio-win drivers ISO goes on ide0 through qm.
    new command.remote.Command(
      `${name}-virtio-iso`,
      {
        connection: {
          host: args.connection.host,
          user: args.connection.user,
          privateKey: args.connection.privateKey,
        },
        create: `qm config ${args.vmid} | grep -q '^ide0: ${args.virtioIso},' || qm set ${args.vmid} --ide0 ${args.virtioIso},media=cdrom`,
        triggers: [args.virtioIso],
        addPreviousOutputInEnv: false,
      },
      { parent: this, dependsOn: [this.vm] },
    );
    this.registerOutputs({ vmId: this.vm.vmId });
  }
}
