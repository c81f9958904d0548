/**
 * The files node's NFS-Ganesha configuration on the real ganesha.nfsd (Debian's nfs-ganesha and
 * nfs-ganesha-vfs), in network namespaces this test makes: a server namespace holding the files node's
 * address on a bridge, one namespace for a Proxmox node (a listed client) and one for an app node (not
 * listed). The clients are libnfs's userspace tools (this kernel has no NFS client). Nothing leaves the
 * three namespaces.
 */
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderGaneshaConfig } from "../../components/web-cluster/nfs";
import { sharedOwnerId } from "../../components/moodle/shared-storage";
import { findProgram, run, scratchDir, startDaemon, stopAllDaemons, waitFor } from "./support/daemon";

const SERVER = "198.51.100.10";
const NODE = "198.51.100.21";
const APP = "198.51.100.61";
const suffix = randomBytes(3).toString("hex");
const ns = { server: `nfs-srv-${suffix}`, node: `nfs-node-${suffix}`, app: `nfs-app-${suffix}` };
const dir = scratchDir("nfs-ganesha");
const exportPath = join(dir.path, "export");
const data = join(exportPath, "moodledata");

function sh(command: string) {
  const r = run("bash", ["-c", `set -euo pipefail\n${command}`]);
  if (r.status !== 0) throw new Error(`${command}\n${r.output}`);
}

/** A libnfs tool in a client namespace, NFSv4 unless the URL says otherwise; at most 15 s. */
function nfs(from: string, tool: "nfs-ls" | "nfs-cat" | "nfs-cp", ...args: string[]) {
  return run("ip", ["netns", "exec", from, "timeout", "15", tool, ...args]);
}
const url = (path: string, query = "version=4") => `nfs://${SERVER}${path}?${query}`;

beforeAll(async () => {
  sh(`ip netns add ${ns.server}
ip netns add ${ns.node}
ip netns add ${ns.app}
ip -n ${ns.server} link set lo up
ip -n ${ns.server} link add br0 type bridge
ip -n ${ns.server} addr add ${SERVER}/24 dev br0
ip -n ${ns.server} link set br0 up
for side in node:${NODE} app:${APP}; do
  name=\${side%%:*}; addr=\${side#*:}; client=nfs-$name-${suffix}
  ip link add nfs\${name}${suffix} netns ${ns.server} type veth peer name eth0 netns $client
  ip -n ${ns.server} link set nfs\${name}${suffix} master br0 up
  ip -n $client link set lo up
  ip -n $client addr add $addr/24 dev eth0
  ip -n $client link set eth0 up
done`);
  // What the files node's script leaves: the export owned by root, the dataroot by 100033, mode 2770.
  mkdirSync(data, { recursive: true });
  chownSync(data, sharedOwnerId, sharedOwnerId);
  sh(`chmod 2770 ${data}`);
  // The rendered file as the node gets it; only the recovery directory moves into the scratch directory.
  const conf = renderGaneshaConfig({ exportPath, clients: [NODE] }).replace(
    "NFSV4 {",
    `NFSV4 {\n\tRecoveryRoot = "${join(dir.path, "recovery")}";`,
  );
  writeFileSync(join(dir.path, "ganesha.conf"), conf);
  startDaemon("ganesha", "ip", [
    "netns",
    "exec",
    ns.server,
    findProgram("ganesha.nfsd"),
    "-F",
    "-f",
    join(dir.path, "ganesha.conf"),
    "-L",
    join(dir.path, "ganesha.log"),
    "-p",
    join(dir.path, "ganesha.pid"),
    "-N",
    "NIV_EVENT",
  ]);
  await waitFor(
    "ganesha.nfsd serving the export",
    () => nfs(ns.node, "nfs-ls", url(exportPath)).status === 0,
    20000,
  );
}, 40000);

afterAll(async () => {
  await stopAllDaemons();
  for (const n of Object.values(ns)) run("ip", ["netns", "del", n]);
  dir.remove();
});

/** Ganesha's log, for failure messages. */
const log = () =>
  existsSync(join(dir.path, "ganesha.log")) ? readFileSync(join(dir.path, "ganesha.log"), "utf8") : "";

describe("the files node's NFS-Ganesha export on the real ganesha.nfsd", () => {
  it("a Proxmox node writes a file as the app nodes' www-data (100033) over NFSv4 and reads it back", () => {
    writeFileSync(join(dir.path, "in.txt"), "written over NFS by a node\n");
    const copied = nfs(
      ns.node,
      "nfs-cp",
      join(dir.path, "in.txt"),
      url(`${data}/from-node.txt`, `version=4&uid=${sharedOwnerId}&gid=${sharedOwnerId}`),
    );
    expect({ status: copied.status, output: copied.output, log: log() }).toMatchObject({ status: 0 });
    const onDisk = statSync(join(data, "from-node.txt"));
    expect([onDisk.uid, onDisk.gid]).toEqual([sharedOwnerId, sharedOwnerId]);
    expect(readFileSync(join(data, "from-node.txt"), "utf8")).toBe("written over NFS by a node\n");
    const read = nfs(ns.node, "nfs-cat", url(`${data}/from-node.txt`));
    expect([read.status, read.stdout]).toEqual([0, "written over NFS by a node\n"]);
    // Owners travel as numbers: the node sees 100033, not a name or nobody.
    const listed = nfs(ns.node, "nfs-ls", url(data));
    expect(listed.stdout).toMatch(new RegExp(`\\s${sharedOwnerId}\\s+${sharedOwnerId}\\s.*from-node\\.txt`));
  });

  it("root on a Proxmox node is not squashed (pvesm mounts as root): its file belongs to root", () => {
    writeFileSync(join(dir.path, "root.txt"), "root\n");
    const copied = nfs(ns.node, "nfs-cp", join(dir.path, "root.txt"), url(`${data}/from-root.txt`));
    expect({ status: copied.status, output: copied.output }).toMatchObject({ status: 0 });
    expect(statSync(join(data, "from-root.txt")).uid).toBe(0);
  });

  it("an address that is not a Proxmox node finds no export and writes nothing", () => {
    const listed = nfs(ns.app, "nfs-ls", url(exportPath));
    expect(listed.status).not.toBe(0);
    expect(listed.output).toMatch(/NFS4ERR_(NOENT|ACCESS|PERM)/);
    writeFileSync(join(dir.path, "app.txt"), "app\n");
    const copied = nfs(ns.app, "nfs-cp", join(dir.path, "app.txt"), url(`${data}/from-app.txt`));
    expect(copied.status).not.toBe(0);
    expect(existsSync(join(data, "from-app.txt"))).toBe(false);
    // The same client reaches the server: the refusal is the export's, not the network's.
    expect(nfs(ns.app, "nfs-ls", url("/")).output).not.toMatch(/connect|timed out/i);
  });

  it("serves NFSv4 only: an NFSv3 mount from a listed node fails", () => {
    const v3 = nfs(ns.node, "nfs-ls", url(exportPath, "version=3"));
    expect(v3.status).not.toBe(0);
    // The configuration loads without a warning or error of its own (the package's RADOS notice aside).
    const own = log()
      .split("\n")
      .filter((l) => /:(CONFIG|EXPORT|FSAL) :(WARN|CRIT|MAJ)/.test(l) && !l.includes("RADOS"));
    expect(own).toEqual([]);
  });
});
