/**
 * The cached base root every box guest starts from: Debian 12 (bookworm) minbase with systemd, the
 * same release as the stacks' `debian-12-standard` template, built once with debootstrap through
 * the box's apt cache and re-used by every run (guests get a copy-on-write overlay of it).
 */
import { createHash } from "node:crypto";
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { must } from "./sh";

export const SUITE = "bookworm";
export const MIRROR = "http://deb.debian.org/debian";

/**
 * What Proxmox's debian-12-standard template brings that the scripts rely on (systemd, an SSH
 * server, curl and CA certificates, cron, locales, ping, ps) on top of debootstrap's minbase.
 */
export const BASE_PACKAGES = [
  "systemd",
  "systemd-sysv",
  "dbus",
  "iproute2",
  "ca-certificates",
  "curl",
  "openssh-server",
  "locales",
  "cron",
  "iputils-ping",
  "procps",
];

const SOURCES = [
  `deb ${MIRROR} ${SUITE} main`,
  `deb ${MIRROR} ${SUITE}-updates main`,
  `deb http://deb.debian.org/debian-security ${SUITE}-security main`,
].join("\n");

/** The base root's directory name: changes when the package list or sources change. */
export function baseName(): string {
  const digest = createHash("sha256")
    .update(`${SUITE}\n${BASE_PACKAGES.join(",")}\n${SOURCES}`)
    .digest("hex");
  return `base-${SUITE}-${digest.slice(0, 10)}`;
}

/**
 * Returns the base root, building it first when the cache has none. `httpProxy` is the box's apt
 * cache on the host's loopback (debootstrap downloads through it, so a rebuild is fast).
 */
export async function ensureBase(
  cacheDir: string,
  httpProxy: string,
  log: (l: string) => void,
): Promise<string> {
  const dir = join(cacheDir, baseName());
  if (existsSync(join(dir, ".box-complete"))) return dir;
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  log(`building the base root ${dir} (debootstrap ${SUITE} minbase, about 1-3 minutes)`);
  const env = { ...process.env, http_proxy: httpProxy, DEBIAN_FRONTEND: "noninteractive" };
  await must(
    "debootstrap",
    ["--variant=minbase", `--include=${BASE_PACKAGES.join(",")}`, SUITE, tmp, MIRROR],
    { env, timeoutMs: 15 * 60_000 },
  );
  writeFileSync(join(tmp, "etc/apt/sources.list"), `${SOURCES}\n`);
  // Each guest gets its own identity at boot: no machine id, hostname or SSH host keys shared.
  writeFileSync(join(tmp, "etc/machine-id"), "");
  rmSync(join(tmp, "etc/hostname"), { force: true });
  await must("sh", ["-c", `rm -f "${tmp}"/etc/ssh/ssh_host_*`]);
  await must("chroot", [tmp, "apt-get", "clean"]);
  writeFileSync(join(tmp, ".box-complete"), `${new Date().toISOString()}\n`);
  renameSync(tmp, dir);
  return dir;
}
