/**
 * Host settings the box needs beyond a kernel's defaults. Every booted guest's systemd takes
 * several inotify instances, all counted against root; at the default of 128 a school box beside
 * another box runs out and a guest stops at boot ("Failed to allocate manager object: Too many
 * open files"). The box raises the limit, never lowers it, and says so.
 */
import { readFileSync, writeFileSync } from "node:fs";

const INOTIFY_INSTANCES = "/proc/sys/fs/inotify/max_user_instances";
export const MIN_INOTIFY_INSTANCES = 1024;

export function ensureInotifyInstances(log: (line: string) => void, path = INOTIFY_INSTANCES): void {
  const current = Number(readFileSync(path, "utf8").trim());
  if (current >= MIN_INOTIFY_INSTANCES) return;
  writeFileSync(path, `${MIN_INOTIFY_INSTANCES}\n`);
  log(
    `raised fs.inotify.max_user_instances from ${current} to ${MIN_INOTIFY_INSTANCES} (booted guests' systemd)`,
  );
}
