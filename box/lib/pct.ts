/**
 * `pct` on the node stand-in. The node is itself a booted guest and cannot enter its sibling
 * guests, so its `pct` is a small shim that hands each request to the box through a shared
 * directory; the box runs it in the guest with nsenter (as lxc-attach would) and hands back
 * stdout, stderr and the exit code. `pct exec <vmid> -- <command…>` (stdin passed through) and
 * `pct push <vmid> <file> <destination> [--perms MODE] [--user U] [--group G]` are supported.
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { BootedGuest } from "./guest";

/** Where the exchange directory appears inside the node stand-in. */
export const PCT_EXCHANGE_IN_NODE = "/run/box-pct";

/** The shim installed as /usr/sbin/pct on the node stand-in. */
export const PCT_SHIM = `#!/usr/bin/env bash
# pct of the proxmox-sites box: exec and push run in the box's guests through the box's broker.
set -euo pipefail
exchange=${PCT_EXCHANGE_IN_NODE}
usage() {
  echo "usage: pct exec <vmid> -- <command...> | pct push <vmid> <file> <destination> [options]" >&2
  exit 255
}
[ $# -ge 2 ] || usage
op=$1 vmid=$2
shift 2
req=$(mktemp -d "$exchange/req.XXXXXXXX")
trap 'rm -rf "$req"' EXIT
case $op in
  exec)
    [ "\${1:-}" = "--" ] && shift
    [ $# -ge 1 ] || usage
    printf '%s\\0' "$@" >"$req/argv"
    cat >"$req/stdin"
    ;;
  push)
    [ $# -ge 2 ] || usage
    cp "$1" "$req/file"
    dst=$2
    shift 2
    printf '%s\\0' "$dst" "$@" >"$req/argv"
    : >"$req/stdin"
    ;;
  *) usage ;;
esac
printf '%s %s\\n' "$op" "$vmid" >"$req/op"
: >"$req/ready"
# Bounded: an hour at most (the longest provisioning step is minutes).
for ((i = 0; i < 36000; i++)); do
  [ -e "$req/rc" ] && break
  sleep 0.1
done
[ -e "$req/rc" ] || { echo "pct: the box did not answer $op $vmid within an hour" >&2; exit 255; }
cat "$req/stdout"
cat "$req/stderr" >&2
exit "$(cat "$req/rc")"
`;

const GUEST_ENV = [
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "HOME=/root",
  "LANG=C.UTF-8",
  "container=lxc",
];

/** Serves the shim's requests from `dir` until stopped; each request runs in its guest. */
export class PctBroker {
  private readonly taken = new Set<string>();
  private timer?: NodeJS.Timeout;
  private readonly guests = new Map<number, BootedGuest>();

  constructor(
    private readonly dir: string,
    private readonly nodeName: string,
    private readonly timeoutMs = 3600_000,
  ) {}

  addGuest(vmid: number, guest: BootedGuest): void {
    this.guests.set(vmid, guest);
  }

  start(): void {
    this.timer = setInterval(() => this.poll(), 100);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private poll(): void {
    let entries: string[];
    try {
      entries = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const req = join(this.dir, name);
      if (this.taken.has(name) || !existsSync(join(req, "ready"))) continue;
      // Never forgotten: once answered, the shim deletes the directory, and a poll that listed it
      // just before must not serve it twice.
      this.taken.add(name);
      void this.serve(req);
    }
  }

  /** Hands the result back; the shim may be gone already (its SSH session ended), so never throws. */
  private answer(req: string, code: number, stderr = ""): void {
    try {
      this.writeAnswer(req, code, stderr);
    } catch {
      // Nobody is waiting for this answer any more.
    }
  }

  private writeAnswer(req: string, code: number, stderr: string): void {
    if (stderr) writeFileSync(join(req, "stderr"), stderr, { flag: "a" });
    if (!existsSync(join(req, "stdout"))) writeFileSync(join(req, "stdout"), "");
    if (!existsSync(join(req, "stderr"))) writeFileSync(join(req, "stderr"), "");
    writeFileSync(join(req, "rc.tmp"), `${code}\n`);
    renameSync(join(req, "rc.tmp"), join(req, "rc"));
  }

  private async serve(req: string): Promise<void> {
    try {
      const [op, vmidText] = readFileSync(join(req, "op"), "utf8").trim().split(" ");
      const argv = readFileSync(join(req, "argv"), "utf8").split("\0").slice(0, -1);
      const guest = this.guests.get(Number(vmidText));
      if (!guest) {
        return this.answer(
          req,
          2,
          `Configuration file 'nodes/${this.nodeName}/lxc/${vmidText}.conf' does not exist\n`,
        );
      }
      let command: string[];
      let stdinFile = join(req, "stdin");
      if (op === "exec") {
        command = argv;
      } else {
        const [dst, ...opts] = argv;
        const opt = (flag: string) => {
          const i = opts.indexOf(flag);
          return i >= 0 ? opts[i + 1] : undefined;
        };
        const owner = `${opt("--user") ?? "0"}:${opt("--group") ?? opt("--user") ?? "0"}`;
        command = [
          "install",
          "-m",
          opt("--perms") ?? "0644",
          "-o",
          owner.split(":")[0],
          "-g",
          owner.split(":")[1],
          "/dev/stdin",
          dst,
        ];
        stdinFile = join(req, "file");
      }
      this.answer(req, await this.exec(guest, command, stdinFile, req));
    } catch (err) {
      this.answer(req, 255, `pct (box): ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }

  private exec(guest: BootedGuest, command: string[], stdinFile: string, req: string): Promise<number> {
    const stdin = openSync(stdinFile, "r");
    const stdout = openSync(join(req, "stdout"), "w");
    const stderr = openSync(join(req, "stderr"), "w");
    const child = spawn(
      "nsenter",
      ["-t", String(guest.pid), "-a", "--", "env", "-i", ...GUEST_ENV, ...command],
      {
        stdio: [stdin, stdout, stderr],
      },
    );
    for (const fd of [stdin, stdout, stderr]) closeSync(fd);
    return new Promise((done) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), this.timeoutMs);
      child.on("error", () => {
        clearTimeout(timer);
        done(255);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        done(code ?? 255);
      });
    });
  }
}
