/**
 * The rendered cupsd.conf on the real cupsd, in network namespaces this test makes (loopback would
 * not do: CUPS treats every 127.0.0.0/8 client as localhost, which it always lets in). A server
 * namespace holds the print server's address; a client namespace holds a LAN workstation, an admin
 * workstation and an outsider, each its own source address. Nothing leaves the two namespaces.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderCupsdConf } from "../../components/print-server/cupsd";
import { findProgram, run, scratchDir, startDaemon, stopAllDaemons, waitFor } from "./support/daemon";

const SERVER = "192.0.2.32";
const LAN = "192.0.2.0/24";
const ADMIN = "192.0.2.200/29";
const CLIENT = { lan: "192.0.2.77", admin: "192.0.2.201", outsider: "203.0.113.9" } as const;
const suffix = randomBytes(3).toString("hex");
const ns = { server: `ps-srv-${suffix}`, client: `ps-cli-${suffix}` };
const dir = scratchDir("print-server");

function sh(command: string) {
  const r = run("bash", ["-c", `set -euo pipefail\n${command}`]);
  if (r.status !== 0) throw new Error(`${command}\n${r.output}`);
}

/** HTTP status of GET path on the print server, from the client namespace with the given source address. */
function statusFrom(source: string, path: string): string {
  const r = run("ip", [
    "netns",
    "exec",
    ns.client,
    "curl",
    "-s",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "--max-time",
    "5",
    "--interface",
    source,
    "-H",
    "Host: print-server",
    `http://${SERVER}:631${path}`,
  ]);
  return r.stdout.trim();
}

beforeAll(async () => {
  sh(`ip netns add ${ns.server}
ip netns add ${ns.client}
ip link add ps-s-${suffix} netns ${ns.server} type veth peer name ps-c-${suffix} netns ${ns.client}
ip -n ${ns.server} link set lo up
ip -n ${ns.server} addr add ${SERVER}/24 dev ps-s-${suffix}
ip -n ${ns.server} link set ps-s-${suffix} up
ip -n ${ns.server} route add ${CLIENT.outsider}/32 dev ps-s-${suffix}
ip -n ${ns.client} link set lo up
ip -n ${ns.client} addr add ${CLIENT.lan}/24 dev ps-c-${suffix}
ip -n ${ns.client} addr add ${CLIENT.admin}/24 dev ps-c-${suffix}
ip -n ${ns.client} addr add ${CLIENT.outsider}/32 dev ps-c-${suffix}
ip -n ${ns.client} link set ps-c-${suffix} up`);
  const root = dir.path;
  for (const d of ["spool", "cache", "state", "tmp"]) mkdirSync(join(root, d));
  // The rendered file as the guest gets it; only the control socket moves into the scratch directory.
  const conf = renderCupsdConf({
    listenIp: SERVER,
    serverAliases: ["print-server"],
    printCidrs: [LAN],
    adminCidrs: [ADMIN],
  }).replace("Listen /run/cups/cups.sock", `Listen ${join(root, "cups.sock")}`);
  writeFileSync(join(root, "cupsd.conf"), conf);
  writeFileSync(
    join(root, "cups-files.conf"),
    [
      "SystemGroup root",
      `ServerRoot ${root}`,
      `RequestRoot ${join(root, "spool")}`,
      `CacheDir ${join(root, "cache")}`,
      `StateDir ${join(root, "state")}`,
      `TempDir ${join(root, "tmp")}`,
      "AccessLog stderr",
      "ErrorLog stderr",
      "PageLog stderr",
      "",
    ].join("\n"),
  );
  startDaemon("cupsd", "ip", [
    "netns",
    "exec",
    ns.server,
    findProgram("cupsd"),
    "-f",
    "-c",
    join(root, "cupsd.conf"),
    "-s",
    join(root, "cups-files.conf"),
  ]);
  await waitFor("cupsd answering", () => !["000", ""].includes(statusFrom(CLIENT.admin, "/")), 15000);
}, 30000);

afterAll(async () => {
  await stopAllDaemons();
  run("ip", ["netns", "del", ns.server]);
  run("ip", ["netns", "del", ns.client]);
  dir.remove();
});

// 404 is "allowed in, nothing there": this machine has cupsd without the web pages and CGI programs.
const refused = "403";

describe("the print server's cupsd.conf on the real cupsd", () => {
  it("a LAN workstation reaches the print service but not the administration", () => {
    expect(statusFrom(CLIENT.lan, "/")).not.toBe(refused);
    expect(statusFrom(CLIENT.lan, "/printers/")).not.toBe(refused);
    expect(statusFrom(CLIENT.lan, "/admin")).toBe(refused);
    expect(statusFrom(CLIENT.lan, "/admin/conf/cupsd.conf")).toBe(refused);
  });

  it("an admin workstation reaches the administration, whose configuration demands a login over TLS", () => {
    expect(statusFrom(CLIENT.admin, "/admin")).not.toBe(refused);
    // 426 Upgrade Required: CUPS asks for TLS before it takes the @SYSTEM login.
    expect(statusFrom(CLIENT.admin, "/admin/conf/cupsd.conf")).toBe("426");
    expect(statusFrom(CLIENT.admin, "/admin/log/error_log")).toBe("426");
  });

  it("an address outside the LAN and the admin networks is refused everywhere", () => {
    for (const path of ["/", "/printers/", "/admin", "/admin/conf/cupsd.conf"])
      expect({ path, status: statusFrom(CLIENT.outsider, path) }).toEqual({ path, status: refused });
  });
});
