/**
 * The user-namespace shift of an unprivileged LXC guest, on its bind mount points. Proxmox maps an
 * unprivileged container's ids N to 100000+N on the host, so a shared directory owned by 100033 on
 * the host is www-data's (33) inside the guest. Box guests boot privileged (a user-namespaced nspawn
 * guest cannot boot systemd here), so the box shows such a bind mount through bindfs (FUSE): files
 * owned by 100000+N on the host appear owned by N, and what the guest creates as N (or chowns to N)
 * is 100000+N on the host. Only root (0) and www-data (33) are mapped, the two ids the shared
 * directories carry; every other id shows unshifted.
 */
import { mkdirSync } from "node:fs";
import { must } from "./sh";
import type { Teardown } from "./teardown";

/** LXC's first host id of an unprivileged guest (Proxmox's default /etc/subuid range). */
export const HOST_ID_BASE = 100000;
/** The guest ids the box shifts: root and www-data. */
export const SHIFTED_IDS = [0, 33] as const;

/** bindfs's map option: host 100000+N shown as N, for users and groups. */
export function shiftMapOption(): string {
  const users = SHIFTED_IDS.map((n) => `${HOST_ID_BASE + n}/${n}`);
  const groups = SHIFTED_IDS.map((n) => `@${HOST_ID_BASE + n}/@${n}`);
  return `--map=${[...users, ...groups].join(":")}`;
}

/** Mounts `source` shifted at `target` (created) until the teardown runs. */
export async function mountShifted(teardown: Teardown, source: string, target: string): Promise<void> {
  mkdirSync(target, { recursive: true });
  await must("bindfs", [shiftMapOption(), source, target]);
  teardown.add(`unmount shifted ${target}`, async () => void (await must("umount", ["-l", target])));
}
