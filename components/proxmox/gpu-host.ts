/**
 * GPU passthrough preparation of a Proxmox VE 8 host (kernel >= 6.2): IOMMU on the kernel command
 * line, vfio-pci claiming the GPU and its audio function before any host driver, host GPU drivers
 * blacklisted, KVM tolerant of the MSRs Windows touches. Pure: no Pulumi import.
 *
 * The apply script runs on the node as root. It never reboots: it prints `REBOOT_REQUIRED=1` when it
 * changed anything (the new command line and initramfs take effect only after a reboot), else `=0`.
 */
import { renderScript, type GuestFile } from "./script";
import { shellQuote } from "./shell-quote";

export type CpuVendor = "amd" | "intel";
/** `grub`: /etc/default/grub + update-grub. `systemd-boot`: /etc/kernel/cmdline + proxmox-boot-tool (ZFS root, UEFI). */
export type Bootloader = "grub" | "systemd-boot";

export interface GpuHostInput {
  /** CPU vendor of the host; picks amd_iommu or intel_iommu. */
  cpuVendor: CpuVendor;
  /** `vendor:device` ids for vfio-pci, the GPU and its audio function, e.g. `["10de:2684", "10de:22ba"]`. */
  pciIds: readonly string[];
  /**
   * Adds `pcie_acs_override=downstream,multifunction`. Default false. It splits IOMMU groups the
   * hardware does not isolate, weakening isolation between devices; use only when the GPU shares a
   * group with devices the host needs.
   */
  acsOverride?: boolean;
  /** How the host boots. Proxmox on a ZFS root with UEFI uses systemd-boot via proxmox-boot-tool. */
  bootloader: Bootloader;
  /**
   * Host drivers never loaded. Default `nouveau nvidia nvidiafb radeon`. `amdgpu` is not in the
   * default: a Ryzen 7000 host's own integrated GPU uses it.
   */
  blacklist?: readonly string[];
}

export const DEFAULT_GPU_BLACKLIST: readonly string[] = ["nouveau", "nvidia", "nvidiafb", "radeon"];

export const GPU_HOST_PATHS = {
  modulesLoad: "/etc/modules-load.d/vfio.conf",
  vfio: "/etc/modprobe.d/vfio.conf",
  blacklist: "/etc/modprobe.d/blacklist-gpu-passthrough.conf",
  kvm: "/etc/modprobe.d/kvm.conf",
  grub: "/etc/default/grub",
  kernelCmdline: "/etc/kernel/cmdline",
  pending: "/var/lib/proxmox-sites/gpu-host.pending",
} as const;

/** A PCI `vendor:device` id: two 4-digit hex numbers, e.g. `10de:2684`. */
export function isPciId(text: string): boolean {
  return /^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/.test(text);
}

/**
 * A full PCI address `domain:bus:device.function`, e.g. `0000:01:00.0`: 4 hex digits, 2 hex digits,
 * a device number 00–1f and a function 0–7.
 */
export function isPciAddress(text: string): boolean {
  return /^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[01][0-9a-fA-F]\.[0-7]$/.test(text);
}

const MODULE_NAME = /^[a-z0-9_-]+$/;

/** Every problem with the input at once; empty when valid. */
export function validateGpuHostInput(input: GpuHostInput): string[] {
  const problems: string[] = [];
  if (input.cpuVendor !== "amd" && input.cpuVendor !== "intel") {
    problems.push(`gpu.cpuVendor: ${String(input.cpuVendor)} is not amd or intel`);
  }
  if (input.bootloader !== "grub" && input.bootloader !== "systemd-boot") {
    problems.push(`gpu.bootloader: ${String(input.bootloader)} is not grub or systemd-boot`);
  }
  if (input.pciIds.length === 0) problems.push("gpu.pciIds: list the GPU's id and its audio function's id");
  for (const id of input.pciIds) {
    if (!isPciId(id)) problems.push(`gpu.pciIds: ${id} is not a vendor:device id like 10de:2684`);
  }
  const lower = input.pciIds.map((id) => id.toLowerCase());
  if (new Set(lower).size !== lower.length) problems.push("gpu.pciIds: duplicate ids");
  for (const name of input.blacklist ?? []) {
    if (!MODULE_NAME.test(name)) problems.push(`gpu.blacklist: ${name} is not a kernel module name`);
    if (name.replace(/-/g, "_") === "vfio_pci")
      problems.push("gpu.blacklist: vfio_pci must not be blacklisted");
  }
  return problems;
}

function checked(input: GpuHostInput): void {
  const problems = validateGpuHostInput(input);
  if (problems.length > 0) throw new Error(`invalid GPU host input:\n  ${problems.join("\n  ")}`);
}

/** Kernel command-line tokens this input requires, in order. AMD never gets intel_iommu, nor the reverse. */
export function kernelCmdlineTokens(input: GpuHostInput): string[] {
  checked(input);
  // amd_iommu is on by default on current kernels; the flag is harmless and documents intent.
  const tokens = input.cpuVendor === "amd" ? ["amd_iommu=on", "iommu=pt"] : ["intel_iommu=on", "iommu=pt"];
  if (input.acsOverride) tokens.push("pcie_acs_override=downstream,multifunction");
  return tokens;
}

/** Keys of `key=value` tokens the script owns: a different value for one of them is replaced. */
export function managedCmdlineKeys(input: GpuHostInput): string[] {
  return [input.cpuVendor === "amd" ? "amd_iommu" : "intel_iommu", "iommu", "pcie_acs_override"];
}

const HEADER = "# Rendered by proxmox-sites: GPU passthrough host preparation.";

/** The module and modprobe files, in a stable order. */
export function renderGpuHostFiles(input: GpuHostInput): GuestFile[] {
  checked(input);
  const ids = input.pciIds.map((id) => id.toLowerCase());
  const blacklist = [...new Set(input.blacklist ?? DEFAULT_GPU_BLACKLIST)];
  // The audio function is usually claimed by snd_hda_intel: make vfio-pci load first.
  const softdeps = [...new Set([...blacklist, "snd_hda_intel"])];
  return [
    {
      path: GPU_HOST_PATHS.modulesLoad,
      // vfio_virqfd is part of vfio since kernel 6.2 (PVE 8): listing it would fail to load.
      content: [HEADER, "vfio", "vfio_iommu_type1", "vfio_pci", ""].join("\n"),
    },
    {
      path: GPU_HOST_PATHS.vfio,
      content: [
        HEADER,
        `options vfio-pci ids=${ids.join(",")} disable_vga=1`,
        ...softdeps.map((m) => `softdep ${m} pre: vfio-pci`),
        "",
      ].join("\n"),
    },
    {
      path: GPU_HOST_PATHS.blacklist,
      content: [HEADER, ...blacklist.map((m) => `blacklist ${m}`), ""].join("\n"),
    },
    {
      path: GPU_HOST_PATHS.kvm,
      content: [HEADER, "options kvm ignore_msrs=1 report_ignored_msrs=0", ""].join("\n"),
    },
  ];
}

/** Reads `REBOOT_REQUIRED=0|1` from the apply script's output. */
export function parseRebootRequired(stdout: string): boolean {
  const match = /^REBOOT_REQUIRED=([01])$/m.exec(stdout);
  if (!match) throw new Error("GPU host script output has no REBOOT_REQUIRED= line");
  return match[1] === "1";
}

const SETUP = String.raw`root="${"$"}{PROVISION_ROOT:-}"
pending="$root/var/lib/proxmox-sites/gpu-host.pending"
modules_changed=0
cmdline_changed=0
# A previous run that changed files but did not finish leaves this marker: finish its work now.
if [ -e "$pending" ]; then
  modules_changed=1
  cmdline_changed=1
fi
mark_pending() {
  mkdir -p "$(dirname "$pending")"
  : >"$pending"
}`;

const MERGE = String.raw`# Prints the command line $1 with every wanted token present: a managed key with another value is
# replaced, other tokens keep their place, missing tokens are appended.
merge_cmdline() {
  local words=() out=() word key wanted present
  read -r -a words <<<"$1"
  for word in "${"$"}{words[@]}"; do
    key="${"$"}{word%%=*}"
    present=0
    for wanted in "${"$"}{want[@]}"; do
      if [ "$word" = "$wanted" ]; then present=1; fi
    done
    if [ "$present" = 0 ] && [[ " ${"$"}{managed[*]} " == *" $key "* ]]; then continue; fi
    if [[ " ${"$"}{out[*]} " == *" $word "* ]]; then continue; fi
    out+=("$word")
  done
  for wanted in "${"$"}{want[@]}"; do
    if [[ " ${"$"}{out[*]} " != *" $wanted "* ]]; then out+=("$wanted"); fi
  done
  printf '%s\n' "${"$"}{out[*]}"
}`;

const GRUB = String.raw`line="$(grep -E '^GRUB_CMDLINE_LINUX_DEFAULT=' "$grub" | tail -n 1 || true)"
current="${"$"}{line#GRUB_CMDLINE_LINUX_DEFAULT=}"
case "$current" in
  \"*\" | \'*\') current="${"$"}{current:1:${"$"}{#current}-2}" ;;
esac
merged="$(merge_cmdline "$current")"
if [ -z "$line" ] || [ "$merged" != "$current" ]; then
  mark_pending
  staged="$(mktemp)"
  if [ -n "$line" ]; then
    NEW_LINE="GRUB_CMDLINE_LINUX_DEFAULT=\"$merged\"" awk '/^GRUB_CMDLINE_LINUX_DEFAULT=/ { print ENVIRON["NEW_LINE"]; next } { print }' "$grub" >"$staged"
  else
    cat "$grub" >"$staged"
    printf 'GRUB_CMDLINE_LINUX_DEFAULT="%s"\n' "$merged" >>"$staged"
  fi
  cat "$staged" >"$grub"
  rm -f "$staged"
  cmdline_changed=1
fi`;

const SYSTEMD_BOOT = String.raw`current="$(head -n 1 "$cmdline_file")"
merged="$(merge_cmdline "$current")"
if [ "$merged" != "$current" ] || [ "$(wc -l <"$cmdline_file")" != 1 ]; then
  mark_pending
  printf '%s\n' "$merged" >"$cmdline_file"
  cmdline_changed=1
fi`;

/** Checked before anything is written: the boot loader's file must exist. */
function bootFileCheck(bootloader: Bootloader): string {
  return bootloader === "grub"
    ? String.raw`grub="$root/etc/default/grub"
if [ ! -f "$grub" ]; then echo "$grub is missing: is this host booted by GRUB?" >&2; exit 1; fi`
    : String.raw`cmdline_file="$root/etc/kernel/cmdline"
if [ ! -f "$cmdline_file" ]; then echo "$cmdline_file is missing: is this host booted by proxmox-boot-tool (systemd-boot)?" >&2; exit 1; fi`;
}

function applyStep(bootloader: Bootloader): string {
  const refresh = bootloader === "grub" ? "update-grub" : "proxmox-boot-tool refresh";
  return [
    `reboot_required=0`,
    `if [ "$modules_changed" = 1 ]; then`,
    `  update-initramfs -u -k all`,
    `fi`,
    `if [ "$modules_changed" = 1 ] || [ "$cmdline_changed" = 1 ]; then`,
    `  ${refresh}`,
    `  reboot_required=1`,
    `fi`,
    `rm -f "$pending"`,
    `echo "REBOOT_REQUIRED=$reboot_required"`,
  ].join("\n");
}

/**
 * The idempotent apply script: writes the module files, adds the missing kernel command-line tokens,
 * regenerates initramfs and the boot entries only when something changed, prints REBOOT_REQUIRED.
 */
export function renderGpuHostScript(input: GpuHostInput): string {
  const files = renderGpuHostFiles(input).map((file) => ({
    ...file,
    onChange: "mark_pending\nmodules_changed=1",
  }));
  const arrays = [
    `want=(${kernelCmdlineTokens(input).map(shellQuote).join(" ")})`,
    `managed=(${managedCmdlineKeys(input).map(shellQuote).join(" ")})`,
  ];
  return renderScript({
    summary: `Prepares this ${input.cpuVendor.toUpperCase()} host for GPU passthrough (vfio-pci ${input.pciIds.join(",")}).`,
    setup: `${SETUP}\n${bootFileCheck(input.bootloader)}`,
    files,
    body: [
      ...arrays,
      MERGE,
      input.bootloader === "grub" ? GRUB : SYSTEMD_BOOT,
      applyStep(input.bootloader),
    ].join("\n"),
  });
}
