/** Where the box keeps its base root, apt cache, CA and run directory (outside the repository). */
import { homedir } from "node:os";
import { join } from "node:path";

export function boxCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "proxmox-sites", "box");
}
