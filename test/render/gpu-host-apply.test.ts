/**
 * Runs the GPU host apply script under PROVISION_ROOT against fixture boot files. update-grub,
 * update-initramfs and proxmox-boot-tool cannot run outside a real Proxmox host, so PATH starts with
 * stubs that only record their calls; everything else (bash, awk, grep, install, cmp) is real.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  GPU_HOST_PATHS,
  parseRebootRequired,
  renderGpuHostFiles,
  renderGpuHostScript,
  type GpuHostInput,
} from "../../components/proxmox/gpu-host";
import { findProgram, run, scratchDir } from "../live/support/daemon";

const PVE_GRUB = [
  "# If you change this file, run 'update-grub' afterwards to update",
  "GRUB_DEFAULT=0",
  "GRUB_TIMEOUT=5",
  'GRUB_DISTRIBUTOR="Proxmox VE"',
  'GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=soft"',
  'GRUB_CMDLINE_LINUX=""',
  "",
].join("\n");

const amdGrub: GpuHostInput = { cpuVendor: "amd", pciIds: ["10de:2684", "10de:22ba"], bootloader: "grub" };

const scratch = scratchDir("gpu-host");
const bin = join(scratch.path, "bin");
let caseNumber = 0;

beforeAll(() => {
  mkdirSync(bin);
  for (const tool of ["update-grub", "update-initramfs", "proxmox-boot-tool"]) {
    const fail = tool === "update-initramfs" ? `if [ -n "\${FAIL_INITRAMFS:-}" ]; then exit 1; fi\n` : "";
    writeFileSync(join(bin, tool), `#!/bin/sh\n${fail}echo "${tool} $*" >>"$CALLS"\n`, { mode: 0o755 });
  }
});

afterAll(() => scratch.remove());

/** A fresh node root with the given boot files. */
function node(files: Record<string, string>): string {
  const root = join(scratch.path, `node-${++caseNumber}`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function apply(root: string, input: GpuHostInput, env: Record<string, string> = {}) {
  const calls = join(root, "..", `calls-${caseNumber}-${Date.now()}`);
  const r = run("bash", ["-s"], renderGpuHostScript(input), {
    PROVISION_ROOT: root,
    CALLS: calls,
    PATH: `${bin}:${process.env.PATH}`,
    ...env,
  });
  const recorded = existsSync(calls)
    ? readFileSync(calls, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.trimEnd())
    : [];
  return { ...r, recorded, reboot: r.status === 0 ? parseRebootRequired(r.stdout) : undefined };
}

const read = (root: string, path: string) => readFileSync(join(root, path), "utf8");

describe("GPU host apply script", () => {
  it("is shellcheck-clean for both boot loaders", () => {
    const shellcheck = findProgram("shellcheck");
    for (const bootloader of ["grub", "systemd-boot"] as const) {
      const r = run(
        shellcheck,
        ["-s", "bash", "-"],
        renderGpuHostScript({ ...amdGrub, bootloader, acsOverride: true }),
      );
      expect([bootloader, r.output, r.status]).toEqual([bootloader, "", 0]);
    }
  });

  it("adds the IOMMU tokens to GRUB, writes the module files, regenerates, and says reboot", () => {
    const root = node({ [GPU_HOST_PATHS.grub]: PVE_GRUB });
    const first = apply(root, amdGrub);
    expect(first.stderr).toBe("");
    expect(first.reboot).toBe(true);
    expect(first.recorded).toEqual(["update-initramfs -u -k all", "update-grub"]);
    // iommu=soft is replaced (the script owns iommu=), quiet keeps its place, the rest is untouched.
    expect(read(root, GPU_HOST_PATHS.grub)).toBe(
      PVE_GRUB.replace('"quiet iommu=soft"', '"quiet amd_iommu=on iommu=pt"'),
    );
    for (const file of renderGpuHostFiles(amdGrub)) expect(read(root, file.path)).toBe(file.content);
    expect(existsSync(join(root, GPU_HOST_PATHS.pending))).toBe(false);
  });

  it("changes nothing and reports REBOOT_REQUIRED=0 on a second run", () => {
    const root = node({ [GPU_HOST_PATHS.grub]: PVE_GRUB });
    apply(root, amdGrub);
    const grubAfterFirst = read(root, GPU_HOST_PATHS.grub);
    const second = apply(root, amdGrub);
    expect(second.status).toBe(0);
    expect(second.reboot).toBe(false);
    expect(second.recorded).toEqual([]);
    expect(read(root, GPU_HOST_PATHS.grub)).toBe(grubAfterFirst);
  });

  it("adds a missing GRUB_CMDLINE_LINUX_DEFAULT, and takes the ACS override out again when opted out", () => {
    const root = node({ [GPU_HOST_PATHS.grub]: "GRUB_DEFAULT=0\n" });
    const intel: GpuHostInput = { ...amdGrub, cpuVendor: "intel", acsOverride: true };
    expect(apply(root, intel).reboot).toBe(true);
    expect(read(root, GPU_HOST_PATHS.grub)).toBe(
      'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=on iommu=pt pcie_acs_override=downstream,multifunction"\n',
    );
    const optedOut = apply(root, { ...intel, acsOverride: false });
    expect(optedOut.reboot).toBe(true);
    expect(optedOut.recorded).toEqual(["update-grub"]); // modules unchanged: no initramfs rebuild
    expect(read(root, GPU_HOST_PATHS.grub)).toBe(
      'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=on iommu=pt"\n',
    );
  });

  it("edits /etc/kernel/cmdline and refreshes proxmox-boot-tool on a ZFS-root systemd-boot host", () => {
    const root = node({ [GPU_HOST_PATHS.kernelCmdline]: "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n" });
    const input: GpuHostInput = { ...amdGrub, cpuVendor: "intel", bootloader: "systemd-boot" };
    const first = apply(root, input);
    expect(first.reboot).toBe(true);
    expect(first.recorded).toEqual(["update-initramfs -u -k all", "proxmox-boot-tool refresh"]);
    expect(read(root, GPU_HOST_PATHS.kernelCmdline)).toBe(
      "root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on iommu=pt\n",
    );
    const second = apply(root, input);
    expect([second.reboot, second.recorded]).toEqual([false, []]);
  });

  it("finishes the regeneration on the next run when a run failed halfway", () => {
    const root = node({ [GPU_HOST_PATHS.grub]: PVE_GRUB });
    const failed = apply(root, amdGrub, { FAIL_INITRAMFS: "1" });
    expect(failed.status).not.toBe(0);
    expect(existsSync(join(root, GPU_HOST_PATHS.pending))).toBe(true);
    const retry = apply(root, amdGrub);
    expect(retry.reboot).toBe(true);
    expect(retry.recorded).toEqual(["update-initramfs -u -k all", "update-grub"]);
    expect(apply(root, amdGrub).reboot).toBe(false);
  });

  it("stops before writing anything when the boot loader's file is missing", () => {
    const root = node({ "/etc/kernel/cmdline": "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n" });
    const r = apply(root, amdGrub);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("/etc/default/grub is missing: is this host booted by GRUB?");
    expect(r.recorded).toEqual([]);
    for (const file of renderGpuHostFiles(amdGrub))
      expect([file.path, existsSync(join(root, file.path))]).toEqual([file.path, false]);
  });
});
