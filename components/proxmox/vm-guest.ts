import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { guestTags } from "./tags";

/** UEFI firmware with Secure Boot keys and a TPM: what Windows 11 asks for. */
export interface UefiSettings {
  /** Storage for the EFI vars disk and the TPM state (both default to local-lvm otherwise). */
  storage: string;
  /** Pre-enrolled Microsoft keys: Secure Boot on. */
  secureBoot: boolean;
  /** TPM 2.0 state; changing it replaces the VM, so it is fixed at creation. */
  tpm: boolean;
}

export interface VmGuestArgs {
  vmid: number;
  name: string;
  node: string;
  description: string;
  /** QEMU's guest OS hint: win11, l26, … */
  osType: string;
  cores: number;
  memoryMb: number;
  /** System disk on virtio-scsi (SSD-flagged, discard on). */
  disk: { storage: string; sizeGb: number };
  bridge: string;
  /** MAC address of the NIC (upper case); Proxmox picks one when absent. */
  macAddress?: string;
  /** q35 + OVMF when set; SeaBIOS i440fx otherwise. */
  uefi?: UefiSettings;
  /** ISO volume in the CD-ROM slot (VmLegacy has one). */
  iso?: string;
  /** PCI hardware mappings passed through as PCIe, the first as primary display. */
  pciMappings?: pulumi.Input<string>[];
  /** Enable only once qemu-guest-agent runs in the guest. */
  guestAgent: boolean;
  tags: string[];
  protect: boolean;
  provider: proxmoxve.Provider;
  dependsOn?: pulumi.Resource[];
}

/** One QEMU VM on the site bridge, with CPU type host and NUMA, virtio disk and network. */
export class VmGuest extends pulumi.ComponentResource {
  readonly vm: proxmoxve.VmLegacy;

  constructor(name: string, args: VmGuestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:VmGuest", name, {}, opts);
    const uefi = args.uefi;
    const pci = args.pciMappings ?? [];
    this.vm = new proxmoxve.VmLegacy(
      name,
      {
        vmId: args.vmid,
        name: args.name,
        nodeName: args.node,
        description: args.description,
        tags: guestTags(args.tags),
        // PCIe passthrough needs q35.
        machine: uefi || pci.length > 0 ? "q35" : undefined,
        bios: uefi ? "ovmf" : "seabios",
        operatingSystem: { type: args.osType },
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
        efiDisk: uefi
          ? { datastoreId: uefi.storage, type: "4m", preEnrolledKeys: uefi.secureBoot, fileFormat: "raw" }
          : undefined,
        tpmState: uefi?.tpm ? { datastoreId: uefi.storage, version: "v2.0" } : undefined,
        disks: [
          {
            interface: "scsi0",
            datastoreId: args.disk.storage,
            size: args.disk.sizeGb,
            ssd: true,
            discard: "on",
            iothread: true,
            fileFormat: "raw",
          },
        ],
        cdrom: args.iso ? { fileId: args.iso, interface: "ide2" } : undefined,
        networkDevices: [
          { bridge: args.bridge, model: "virtio", firewall: true, macAddress: args.macAddress },
        ],
        hostpcis: pci.map((mapping, i) => ({ device: `hostpci${i}`, mapping, pcie: true, xvga: i === 0 })),
        vga: pci.length > 0 ? { type: "none" } : undefined,
        agent: { enabled: args.guestAgent, trim: true, timeout: "15m" },
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
        dependsOn: args.dependsOn,
        deleteBeforeReplace: true,
      },
    );
    this.registerOutputs({ vmId: this.vm.vmId });
  }
}
