/** Whether this machine can run the box, and if not, why (the box tier is skipped with that line). */
import { existsSync, readFileSync } from "node:fs";

const PROGRAMS = [
  "/usr/sbin/debootstrap",
  "/usr/bin/systemd-nspawn",
  "/usr/sbin/apt-cacher-ng",
  "/usr/bin/socat",
  "/usr/bin/nsenter",
  "/usr/sbin/ip",
  "/usr/bin/ssh",
  "/usr/bin/openssl",
  "/usr/bin/git",
  "/usr/bin/bindfs",
];

export function whyBoxCannotRun(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root (namespaces, mounts and nspawn need root)";
  const missing = PROGRAMS.filter((p) => !existsSync(p));
  if (missing.length) return `missing ${missing.join(", ")} (bash .ci/install-daemons.sh installs them)`;
  if (!readFileSync("/proc/filesystems", "utf8").includes("overlay")) return "the kernel has no overlayfs";
  if (!existsSync("/dev/fuse")) return "no /dev/fuse (bindfs shows unprivileged guests' bind mounts shifted)";
  if (process.env.PROXMOX_SITES_BOX === "0") return "PROXMOX_SITES_BOX=0";
  return undefined;
}
