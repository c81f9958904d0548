/** The Windows GPU tier: one Windows 11 VM with a passed-through GPU, reached over Remote Desktop. */
import { PORTS } from "../../config/ports";
import type { ConfigProblem } from "../../config/problems";
import { defineTier } from "../../config/tier-spec";

export const windowsGpuTier = defineTier({
  id: "windows-gpu",
  stackKey: "windowsGpu",
  guests(site) {
    const vm = site.windowsGpu;
    if (!vm) return [];
    return [
      {
        key: "windows-gpu",
        tier: this.id,
        kind: "vm",
        configPath: "windowsGpu",
        vmid: vm.vmid,
        hostname: vm.name,
        ip: vm.ip,
        cores: vm.cores,
        memoryMb: vm.memoryMb,
        diskGb: vm.diskGb,
        node: vm.node ?? site.proxmox.nodes[0].name,
        priority: "low",
        role: "Windows 11 render workstation (GPU passthrough)",
        stateful: vm.protect ?? site.protectStateful,
        storage: vm.storage,
        // Passthrough pins the VM to the node that holds its GPU.
        ha: false,
      },
    ];
  },
  wire(t) {
    if (!t.has("windows-gpu")) return;
    // RDP is TCP; its UDP transport on the same port carries the screen of a render workstation better.
    t.tcp(t.admins, "windows-gpu", PORTS.rdp, "Remote Desktop");
    t.udp(t.admins, "windows-gpu", PORTS.rdp, "Remote Desktop (UDP)");
  },
  check(site) {
    const errors: ConfigProblem[] = [];
    const warnings: ConfigProblem[] = [];
    const vm = site.windowsGpu;
    if (!vm) return { errors, warnings };
    if (vm.gpu.audioAddress && vm.gpu.audioAddress === vm.gpu.address) {
      errors.push({
        path: "windowsGpu.gpu.audioAddress",
        message: `${vm.gpu.audioAddress} is the GPU's own address; a PCI device can be passed through once`,
      });
    }
    if (!site.gpuHost?.enabled) {
      warnings.push({
        path: "gpuHost.enabled",
        message: "is off: the host must already be prepared for PCI passthrough",
      });
    }
    return { errors, warnings };
  },
});
