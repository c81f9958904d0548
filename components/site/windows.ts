import type { SiteConfig } from "../../config/schema";
import { manualSteps, windowsMac } from "../../config/windows-address";
import type { SiteWiring } from "../../config/wiring";
import type { GuestFactory } from "../proxmox/guest-factory";
import type { SiteProviders } from "../proxmox/providers";
import type { WindowsGpuVmArgs } from "../windows";

/** The Windows GPU workstation's arguments from the stack's windowsGpu key. */
export function windowsGpuArgs(
  site: SiteConfig,
  wiring: SiteWiring,
  providers: SiteProviders,
  factory: GuestFactory,
): WindowsGpuVmArgs {
  const vm = site.windowsGpu!;
  const plan = wiring.guests.find((g) => g.key === "windows-gpu")!;
  return {
    vmid: vm.vmid,
    name: vm.name,
    node: plan.node,
    cores: vm.cores,
    memoryMb: vm.memoryMb,
    diskGb: vm.diskGb,
    storage: vm.storage ?? site.proxmox.storage.rootfs,
    bridge: site.network.bridge,
    macAddress: windowsMac(site)!,
    addressSteps: manualSteps(site, wiring.guests).flatMap((s) => [s.what, ...s.how.map((h) => `  ${h}`)]),
    windowsIso: vm.windowsIso,
    virtioIso: vm.virtioIso,
    gpu: {
      address: vm.gpu.address,
      id: vm.gpu.ids[0],
      subsystemId: vm.gpu.subsystemId,
      iommuGroup: vm.gpu.iommuGroup,
    },
    gpuAudio: vm.gpu.audioAddress
      ? {
          address: vm.gpu.audioAddress,
          id: vm.gpu.ids[1] ?? vm.gpu.ids[0],
          subsystemId: vm.gpu.audioSubsystemId ?? vm.gpu.subsystemId,
          iommuGroup: vm.gpu.iommuGroup,
        }
      : undefined,
    tags: [site.site.slug, "windows-gpu", "proxmox-sites"],
    protect: plan.stateful,
    provider: providers.proxmox,
    connection: factory.connectionFor(plan),
  };
}
