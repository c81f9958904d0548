import fc from "fast-check";
import {
  GPU_HOST_PATHS,
  isPciAddress,
  isPciId,
  kernelCmdlineTokens,
  parseRebootRequired,
  renderGpuHostFiles,
  renderGpuHostScript,
  validateGpuHostInput,
  type GpuHostInput,
} from "../../components/proxmox/gpu-host";

/** The prod host: Ryzen 9 7950X with an RTX 4090 (GPU + its HDMI audio function). */
const prodHost: GpuHostInput = { cpuVendor: "amd", pciIds: ["10de:2684", "10de:22ba"], bootloader: "grub" };

function fileText(input: GpuHostInput, path: string): string {
  const file = renderGpuHostFiles(input).find((f) => f.path === path);
  if (!file) throw new Error(`no ${path}`);
  return file.content;
}

function directives(text: string): string[] {
  return text.split("\n").filter((line) => line && !line.startsWith("#"));
}

describe("kernel command line", () => {
  it("turns on the AMD IOMMU in passthrough mode for the prod host", () => {
    expect(kernelCmdlineTokens(prodHost)).toEqual(["amd_iommu=on", "iommu=pt"]);
  });

  it("uses intel_iommu on Intel and adds the ACS override only when opted in", () => {
    expect(kernelCmdlineTokens({ ...prodHost, cpuVendor: "intel" })).toEqual(["intel_iommu=on", "iommu=pt"]);
    expect(kernelCmdlineTokens({ ...prodHost, acsOverride: true })).toEqual([
      "amd_iommu=on",
      "iommu=pt",
      "pcie_acs_override=downstream,multifunction",
    ]);
  });

  it("never gives an AMD host intel_iommu, nor an Intel host amd_iommu", () => {
    const inputs = fc.record({
      cpuVendor: fc.constantFrom("amd" as const, "intel" as const),
      acsOverride: fc.boolean(),
      bootloader: fc.constantFrom("grub" as const, "systemd-boot" as const),
    });
    fc.assert(
      fc.property(inputs, (partial) => {
        const input = { ...partial, pciIds: ["10de:2684"] };
        const tokens = kernelCmdlineTokens(input);
        const script = renderGpuHostScript(input);
        const foreign = input.cpuVendor === "amd" ? "intel_iommu" : "amd_iommu";
        expect(tokens.join(" ")).not.toContain(foreign);
        expect(script).not.toContain(foreign);
        expect(tokens).toContain("iommu=pt");
        expect(tokens.some((t) => t.startsWith("pcie_acs_override"))).toBe(partial.acsOverride);
      }),
    );
  });
});

describe("module files", () => {
  it("loads vfio without vfio_virqfd (merged into vfio since kernel 6.2)", () => {
    expect(directives(fileText(prodHost, GPU_HOST_PATHS.modulesLoad))).toEqual([
      "vfio",
      "vfio_iommu_type1",
      "vfio_pci",
    ]);
  });

  it("binds both functions to vfio-pci before any host driver can claim them", () => {
    expect(
      directives(fileText({ ...prodHost, pciIds: ["10DE:2684", "10de:22BA"] }, GPU_HOST_PATHS.vfio)),
    ).toEqual([
      "options vfio-pci ids=10de:2684,10de:22ba disable_vga=1",
      "softdep nouveau pre: vfio-pci",
      "softdep nvidia pre: vfio-pci",
      "softdep nvidiafb pre: vfio-pci",
      "softdep radeon pre: vfio-pci",
      "softdep snd_hda_intel pre: vfio-pci",
    ]);
  });

  it("blacklists the seed's drivers by default, or the given list, and quiets KVM's MSR warnings", () => {
    expect(directives(fileText(prodHost, GPU_HOST_PATHS.blacklist))).toEqual([
      "blacklist nouveau",
      "blacklist nvidia",
      "blacklist nvidiafb",
      "blacklist radeon",
    ]);
    expect(directives(fileText({ ...prodHost, blacklist: ["amdgpu"] }, GPU_HOST_PATHS.blacklist))).toEqual([
      "blacklist amdgpu",
    ]);
    expect(directives(fileText(prodHost, GPU_HOST_PATHS.kvm))).toEqual([
      "options kvm ignore_msrs=1 report_ignored_msrs=0",
    ]);
  });
});

describe("validation", () => {
  it("knows a vendor:device id", () => {
    for (const ok of ["10de:2684", "1002:73BF", "8086:a780"]) expect([ok, isPciId(ok)]).toEqual([ok, true]);
    for (const bad of ["10de2684", "10de:268", "10de:26844", "0x10de:2684", "10de:268g", " 10de:2684", ""]) {
      expect([bad, isPciId(bad)]).toEqual([bad, false]);
    }
  });

  it("knows a full PCI address domain:bus:device.function", () => {
    for (const ok of ["0000:01:00.0", "0000:01:00.1", "0000:c1:1f.7", "ffff:ff:1f.7"]) {
      expect([ok, isPciAddress(ok)]).toEqual([ok, true]);
    }
    for (const bad of [
      "01:00.0",
      "0000:01:20.0",
      "0000:01:00.8",
      "0000:1:00.0",
      "0000:01:00",
      "gggg:01:00.0",
      "0000:01:00.0 ",
    ]) {
      expect([bad, isPciAddress(bad)]).toEqual([bad, false]);
    }
  });

  it("accepts every well-formed address and rejects device > 1f or function > 7", () => {
    const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xff }),
        fc.integer({ min: 0, max: 0xff }),
        fc.integer({ min: 0, max: 15 }),
        (domain, bus, device, fn) => {
          const text = `${hex(domain, 4)}:${hex(bus, 2)}:${hex(device, 2)}.${fn.toString(16)}`;
          expect(isPciAddress(text)).toBe(device <= 0x1f && fn <= 7);
        },
      ),
    );
  });

  it("reports every problem of an input at once and refuses to render it", () => {
    const bad = {
      cpuVendor: "arm",
      pciIds: ["10de:2684", "10DE:2684", "nvidia"],
      bootloader: "lilo",
      blacklist: ["vfio-pci", "bad name"],
    };
    expect(validateGpuHostInput(bad as unknown as GpuHostInput)).toEqual([
      "gpu.cpuVendor: arm is not amd or intel",
      "gpu.bootloader: lilo is not grub or systemd-boot",
      "gpu.pciIds: nvidia is not a vendor:device id like 10de:2684",
      "gpu.pciIds: duplicate ids",
      "gpu.blacklist: vfio_pci must not be blacklisted",
      "gpu.blacklist: bad name is not a kernel module name",
    ]);
    expect(() => renderGpuHostScript({ ...prodHost, pciIds: [] })).toThrow("gpu.pciIds: list the GPU's id");
  });
});

describe("parseRebootRequired", () => {
  it("reads the marker line", () => {
    expect(parseRebootRequired("update-initramfs: ...\nREBOOT_REQUIRED=1\n")).toBe(true);
    expect(parseRebootRequired("REBOOT_REQUIRED=0\n")).toBe(false);
    expect(() => parseRebootRequired("done\n")).toThrow("REBOOT_REQUIRED");
  });
});
