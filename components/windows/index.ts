import * as command from "@pulumi/command";
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { NodeConnection } from "../proxmox/provisioner";
import { VmGuest } from "../proxmox/vm-guest";

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
  /** Fixed MAC of the NIC, so a DHCP reservation for the planned address keeps matching. */
  macAddress: string;
  /** What the operator must do to give Windows its address (printed at preview and up). */
  addressSteps: string[];
  windowsIso: string;
  virtioIso: string;
  gpu: PciFunction;
  gpuAudio?: PciFunction;
  tags: string[];
  protect: boolean;
  provider: proxmoxve.Provider;
  /** What the VM waits for besides its PCI mappings (the host's passthrough preparation). */
  dependsOn?: pulumi.Resource[];
  /** SSH to the node, to attach the second ISO the provider's single CD-ROM slot cannot hold. */
  connection: NodeConnection;
}

/**
 * Windows 11 on q35 + OVMF with Secure Boot keys, TPM 2.0, virtio-scsi and a passed-through GPU.
 * The GPU goes through PCI hardware mappings, so an API token with Mapping.Use can attach it
 * (raw hostpci addresses need root@pam).
 */
export class WindowsGpuVm extends pulumi.ComponentResource {
  readonly guest: VmGuest;
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
    this.guest = new VmGuest(
      name,
      {
        vmid: args.vmid,
        name: args.name,
        node: args.node,
        description: "Windows 11 render workstation with GPU passthrough (managed by proxmox-sites)",
        osType: "win11",
        cores: args.cores,
        memoryMb: args.memoryMb,
        disk: { storage: args.storage, sizeGb: args.diskGb },
        bridge: args.bridge,
        macAddress: args.macAddress,
        uefi: { storage: args.storage, secureBoot: true, tpm: true },
        iso: args.windowsIso,
        pciMappings: this.mappings.map((m) => m.name),
        // qemu-guest-agent comes from the virtio ISO during setup; Proxmox waits for it only on shutdown.
        guestAgent: true,
        tags: args.tags,
        protect: args.protect,
        provider: args.provider,
        dependsOn: [...this.mappings, ...(args.dependsOn ?? [])],
      },
      { parent: this },
    );
    this.vm = this.guest.vm;
    for (const step of args.addressSteps) pulumi.log.warn(step, this);
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
    this.registerOutputs({ guest: this.guest, vm: this.vm, mappings: this.mappings });
  }
}
