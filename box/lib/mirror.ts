/**
 * The box's vendor mirror: what the site would download from vendors (Moodle's git repository,
 * cloudflared's release .deb) served over HTTPS at the node stand-in's address, through the stack
 * keys a user sets for a mirror (`moodle.gitUrl`, `tunnel.cloudflared.baseUrl`/`sha256`). The
 * content is stand-ins built here (box/standins), since the vendors cannot be reached from the box.
 * TLS comes from a box CA kept in the cache; every guest trusts it, as a site trusts its own CA.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  createReadStream,
  statSync,
} from "node:fs";
import { createServer, type Server } from "node:https";
import { join, resolve } from "node:path";
import type { StackFile } from "../../config/stack-file";
import { must } from "./sh";
import {
  buildAdGuardRelease,
  buildGrafanaRepo,
  type SignedAptRepo,
  type StandInRelease,
} from "./standin-releases";
import { startDaemon, type Teardown } from "./teardown";

const STANDINS = resolve(__dirname, "../standins");

/** The mirror's HTTPS port on the node stand-in (the node's firewall lets it through: box/lib/firewall.ts). */
export const MIRROR_PORT = 443;

export interface MirrorContent {
  /** Bare repositories, served by git's smart HTTP backend. */
  gitRoot: string;
  /** Moodle branch the stand-in repository carries. */
  moodleBranch?: string;
  cloudflared?: { version: string; deb: string; sha256: string };
  /** Grafana's APT repository: a signed stand-in repository, served at /grafana. */
  grafanaApt?: SignedAptRepo;
  /** AdGuard Home's release files, served at /adguard. */
  adguard?: StandInRelease & { version: string };
}

/** URL prefixes served from a directory of the mirror. */
const STATIC_PREFIXES = { grafanaApt: "/grafana/", adguard: "/adguard/" } as const;

/** What the box's report says about each vendor download. */
export interface StandIn {
  what: string;
  how: string;
}

/** The box CA (kept across runs) and a server certificate for `address`. */
export async function mirrorTls(cacheDir: string, runDir: string, address: string) {
  const caDir = join(cacheDir, "ca");
  mkdirSync(caDir, { recursive: true });
  const caKey = join(caDir, "ca.key");
  const caCert = join(caDir, "ca.crt");
  if (!existsSync(caCert)) {
    await must("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "3650",
      "-keyout",
      caKey,
      "-out",
      caCert,
      "-subj",
      "/CN=proxmox-sites box mirror CA",
    ]);
  }
  const key = join(runDir, "mirror.key");
  const csr = join(runDir, "mirror.csr");
  const cert = join(runDir, "mirror.crt");
  const ext = join(runDir, "mirror.ext");
  writeFileSync(ext, `subjectAltName=IP:${address}\n`);
  await must("openssl", [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    csr,
    "-subj",
    `/CN=${address}`,
  ]);
  await must("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    caCert,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-days",
    "2",
    "-out",
    cert,
    "-extfile",
    ext,
  ]);
  return { caCert: readFileSync(caCert, "utf8"), key: readFileSync(key), cert: readFileSync(cert) };
}

async function git(args: string[], cwd: string) {
  await must("git", args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "proxmox-sites box",
      GIT_AUTHOR_EMAIL: "box@invalid",
      GIT_COMMITTER_NAME: "proxmox-sites box",
      GIT_COMMITTER_EMAIL: "box@invalid",
      GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
      GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
    },
  });
}

/** Builds the stand-in content the stack needs: a Moodle repository on its branch, a cloudflared .deb. */
export async function buildMirrorContent(
  runDir: string,
  file: StackFile,
  cacheDir: string,
): Promise<MirrorContent> {
  const root = join(runDir, "mirror");
  rmSync(root, { recursive: true, force: true });
  const gitRoot = join(root, "git");
  mkdirSync(gitRoot, { recursive: true });
  const content: MirrorContent = { gitRoot };
  const moodle = file.values.moodle as { branch?: string } | undefined;
  if (moodle?.branch) {
    const work = join(root, "moodle-work");
    cpSync(join(STANDINS, "moodle"), work, { recursive: true });
    await git(["init", "-q", "-b", moodle.branch], work);
    await git(["add", "-A"], work);
    await git(["commit", "-q", "-m", "Moodle stand-in of the proxmox-sites box"], work);
    await git(["clone", "-q", "--bare", work, join(gitRoot, "moodle.git")], root);
    content.moodleBranch = moodle.branch;
  }
  const tunnel = file.values.tunnel as { cloudflared?: { version: string } } | undefined;
  if (tunnel?.cloudflared) {
    const version = tunnel.cloudflared.version;
    const pkg = join(root, "cloudflared-pkg");
    mkdirSync(join(pkg, "DEBIAN"), { recursive: true });
    mkdirSync(join(pkg, "usr/bin"), { recursive: true });
    writeFileSync(
      join(pkg, "DEBIAN/control"),
      [
        "Package: cloudflared",
        `Version: ${version}`,
        "Architecture: amd64",
        "Maintainer: proxmox-sites box <box@invalid>",
        "Description: cloudflared stand-in of the proxmox-sites box",
        " The box has no route to Cloudflare: this connector only stays up like the real one.",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(pkg, "usr/bin/cloudflared"),
      [
        "#!/bin/sh",
        "# cloudflared stand-in of the proxmox-sites box: no tunnel (no route out); runs like the connector,",
        "# telling systemd it is ready (the unit is Type=notify) from its main process, as cloudflared does.",
        `case "$*" in *version*) echo "cloudflared version ${version} (box stand-in)"; exit 0 ;; esac`,
        `exec perl -MSocket -e 'my $p = $ENV{NOTIFY_SOCKET}; if ($p) { $p =~ s/^@/\\0/; socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die "socket: $!"; send($s, "READY=1", 0, pack_sockaddr_un($p)) or die "notify: $!"; } sleep 3600 while 1;'`,
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const deb = join(root, `cloudflared-linux-amd64.deb`);
    await must("dpkg-deb", ["--root-owner-group", "-Zgzip", "--build", pkg, deb]);
    const sha256 = createHash("sha256").update(readFileSync(deb)).digest("hex");
    content.cloudflared = { version, deb, sha256 };
  }
  if (file.values.monitoring) content.grafanaApt = await buildGrafanaRepo(root, cacheDir);
  const ns = file.values.networkServices as { adguard?: { version: string } } | undefined;
  if (ns?.adguard) {
    const release = await buildAdGuardRelease(root, ns.adguard.version);
    content.adguard = { ...release, version: ns.adguard.version };
  }
  return content;
}

/** The stack file with its vendor downloads pointed at the box's mirror at `address`. */
export function withBoxMirrors(file: StackFile, content: MirrorContent, address: string): StackFile {
  const values = structuredClone(file.values) as Record<string, Record<string, unknown>>;
  if (content.moodleBranch) values.moodle.gitUrl = `https://${address}/git/moodle.git`;
  if (content.cloudflared) {
    values.tunnel.cloudflared = {
      ...(values.tunnel.cloudflared as object),
      sha256: content.cloudflared.sha256,
      baseUrl: `https://${address}/cloudflared`,
    };
  }
  if (content.grafanaApt) {
    values.monitoring.grafanaApt = {
      url: `https://${address}${STATIC_PREFIXES.grafanaApt.slice(0, -1)}`,
      keyFingerprint: content.grafanaApt.fingerprint,
    };
  }
  if (content.adguard) {
    const adguard = values.networkServices.adguard as { sha256?: string };
    values.networkServices.adguard = {
      ...adguard,
      // A pinned digest is the real release's: the stand-in's replaces it, as cloudflared's does.
      ...(adguard.sha256 ? { sha256: content.adguard.sha256 } : {}),
      baseUrl: `https://${address}${STATIC_PREFIXES.adguard.slice(0, -1)}`,
    };
  }
  return { ...file, values };
}

export function standInsOf(content: MirrorContent): StandIn[] {
  const found: StandIn[] = [];
  if (content.moodleBranch)
    found.push({
      what: "Moodle code (moodle.gitUrl)",
      how: `stand-in tree on ${content.moodleBranch} (box/standins/moodle): installer, cron, cache config, sessions in Redis, front page`,
    });
  if (content.cloudflared)
    found.push({
      what: "cloudflared (tunnel.cloudflared)",
      how: "stand-in .deb whose connector only stays up (no route to Cloudflare)",
    });
  if (content.grafanaApt)
    found.push({
      what: "Grafana (monitoring.grafanaApt)",
      how: "signed stand-in APT repository with a stand-in grafana package (box/standins/grafana): grafana-server listens where grafana.ini says and answers /api/health, the CLI sets the admin password; no dashboards",
    });
  if (content.adguard)
    found.push({
      what: "AdGuard Home (networkServices.adguard.baseUrl)",
      how: "stand-in release (box/standins/adguardhome) that answers the configured rewrites over DNS on the configured address for allowed clients, SERVFAIL otherwise (no upstream, no filtering)",
    });
  return found;
}

/** Answers one request through `git http-backend` (CGI). */
function gitBackend(
  gitRoot: string,
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
) {
  const url = new URL(req.url ?? "/", "https://mirror");
  const child = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: gitRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: url.pathname.replace(/^\/git/, ""),
      QUERY_STRING: url.search.replace(/^\?/, ""),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      REMOTE_ADDR: req.socket.remoteAddress ?? "",
    },
  });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString().split("\r\n")) {
      const [name, ...rest] = line.split(":");
      const value = rest.join(":").trim();
      if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  child.on("close", () => res.end());
  child.on("error", () => res.end());
}

/**
 * Serves the mirror on a Unix socket and relays `<address>:443` inside the node stand-in's network
 * namespace (its systemd's pid) to it.
 */
export async function startMirror(
  teardown: Teardown,
  runDir: string,
  content: MirrorContent,
  tls: { key: Buffer; cert: Buffer },
  nodePid: number,
  address: string,
): Promise<void> {
  const socket = join(runDir, "mirror.sock");
  rmSync(socket, { force: true });
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const path = new URL(req.url ?? "/", "https://mirror").pathname;
    if (path.startsWith("/git/")) return gitBackend(content.gitRoot, req, res);
    const cf = content.cloudflared;
    if (cf && path === `/cloudflared/${cf.version}/cloudflared-linux-amd64.deb`) {
      res.writeHead(200, {
        "Content-Type": "application/vnd.debian.binary-package",
        "Content-Length": statSync(cf.deb).size,
      });
      return void createReadStream(cf.deb).pipe(res);
    }
    for (const [key, prefix] of Object.entries(STATIC_PREFIXES) as [keyof typeof STATIC_PREFIXES, string][]) {
      const dir = content[key]?.dir;
      if (!dir || !path.startsWith(prefix)) continue;
      // apt escapes the tilde of versions in file names (`%7e`).
      let decoded: string;
      try {
        decoded = decodeURIComponent(path.slice(prefix.length - 1));
      } catch {
        break;
      }
      const file = resolve(dir, `.${decoded}`);
      if (!file.startsWith(`${dir}/`) || !existsSync(file) || !statSync(file).isFile()) break;
      res.writeHead(200, { "Content-Length": statSync(file).size });
      return void createReadStream(file).pipe(res);
    }
    res.writeHead(404).end("not in the box's mirror\n");
  });
  await new Promise<void>((done) => server.listen(socket, done));
  teardown.add("stop the mirror", () => new Promise((done) => server.close(() => done())));
  startDaemon(
    teardown,
    runDir,
    "mirror-relay",
    "/usr/bin/nsenter",
    [
      "-t",
      String(nodePid),
      "-n",
      "/usr/bin/socat",
      `TCP-LISTEN:${MIRROR_PORT},bind=${address},fork,reuseaddr`,
      `UNIX-CONNECT:${socket}`,
    ],
    join(runDir, "mirror-relay.log"),
    "/usr/bin/socat",
  );
}
