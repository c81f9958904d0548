/**
 * Kernel namespaces for checks that must not touch the machine: a user namespace mapped the way Proxmox
 * maps an unprivileged container (0..65535 → 100000..165535). Needs root.
 */
import { run } from "./daemon";

/**
 * Runs a bash script as root of a user namespace whose ids map the way Proxmox maps an unprivileged
 * LXC guest. The parent (root outside) writes the maps, so no newuidmap or /etc/subuid is needed; the
 * child becomes uid 0 of the namespace before it execs bash, so bash keeps its capabilities there.
 */
export function runAsUnprivilegedGuest(script: string, args: readonly string[] = []) {
  const python = `
import ctypes, os, sys
CLONE_NEWUSER = 0x10000000
libc = ctypes.CDLL(None, use_errno=True)
ready_r, ready_w = os.pipe()
go_r, go_w = os.pipe()
pid = os.fork()
if pid == 0:
    if libc.unshare(CLONE_NEWUSER) != 0:
        os._exit(90)
    os.write(ready_w, b"1")
    os.read(go_r, 1)
    os.setgroups([])
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)
    os.execvp("bash", ["bash", "-c", sys.argv[1], "guest", *sys.argv[2:]])
os.read(ready_r, 1)
for kind in ("uid_map", "gid_map"):
    with open(f"/proc/{pid}/{kind}", "w") as f:
        f.write("0 100000 65536\\n")
os.write(go_w, b"1")
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`;
  return run("python3", ["-c", python, script, ...args]);
}
