/**
 * The network-services guest: AdGuard Home's config and the in-guest bcrypt hashing (run with the real
 * `htpasswd`, the hash checked again by libcrypt through perl), the cloudflared connector's token handling,
 * the pinned-download logic, and both scripts through bash -n, shellcheck and `systemd-analyze verify`.
 */
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import {
  ADGUARD_HASH_MARKER,
  ADGUARD_SCHEMA_VERSION,
  renderAdGuardHomeConfig,
} from "../../components/network-services/adguard-config";
import {
  ADGUARD_PASSWORD_ENV,
  ADGUARD_PATHS,
  AdGuardHomeInput,
  renderAdGuardConfigApplyStep,
  renderAdGuardHomeScript,
  renderAdGuardHomeUnit,
} from "../../components/network-services/adguard";
import {
  CLOUDFLARED_TOKEN_ENV,
  CloudflaredInput,
  renderCloudflaredScript,
  renderCloudflaredTokenStep,
  renderCloudflaredUnit,
} from "../../components/network-services/cloudflared";
import { renderPinnedInstall } from "../../components/network-services/download";
import { adGuardHomeOrigin, renderNetworkServicesScripts } from "../../components/network-services/render";
import { renderScript } from "../../components/proxmox/script";
import { findProgram, run, scratchDir } from "../live/support/daemon";
import { expectCleanShell } from "../live/support/shell";

/** A made-up SHA-256 (the real one comes from the stack); the scripts only carry it. */
const sha = () => randomBytes(32).toString("hex");

const adguard: AdGuardHomeInput = {
  version: "v0.107.79",
  sha256: sha(),
  listenAddress: "192.168.0.30",
  upstreamDns: ["https://dns.quad9.net/dns-query", "tls://1.1.1.1"],
  bootstrapDns: ["9.9.9.9", "1.1.1.1:53", "2620:fe::fe"],
  allowedClients: ["192.168.0.0/24", "10.8.0.0/24"],
  rewrites: [
    { name: "database-primary.bowbo.lan", ip: "192.168.0.10" },
    { name: "frappe-bowbo.bowbo.lan", ip: "192.168.0.50" },
  ],
};

const cloudflared: CloudflaredInput = {
  version: "2025.8.1",
  sha256: sha(),
  metricsAddress: "192.168.0.30:20241",
};

/** A random password made for this run, with characters a shell or YAML would trip on. */
function password(): string {
  return `${randomBytes(12).toString("base64")} $'"\\&`;
}

function verifyUnit(name: string, unit: string, program: string): void {
  const dir = scratchDir("netsvc-unit");
  try {
    const file = join(dir.path, name);
    // verify insists the program exists; it is installed in the guest, not here.
    writeFileSync(file, unit.replace(`ExecStart=${program}`, "ExecStart=/usr/bin/env"));
    const result = run(findProgram("systemd-analyze"), ["verify", file]);
    expect(result.output).not.toMatch(/Unknown (key|section)|Failed to parse|Invalid/);
    expect(result.status).toBe(0);
  } finally {
    dir.remove();
  }
}

/** libcrypt's bcrypt (through perl), independent of htpasswd's: does `hash` verify `pw`? */
function bcryptVerifies(pw: string, hash: string): boolean {
  return (
    run("perl", ["-e", "exit(crypt($ENV{PW}, $ENV{HASH}) eq $ENV{HASH} ? 0 : 1)"], undefined, {
      PW: pw,
      HASH: hash,
    }).status === 0
  );
}

describe("AdGuardHome.yaml", () => {
  const config = YAML.parse(renderAdGuardHomeConfig(adguard));

  test("DNS on the guest address, UI on 3000, upstreams and bootstrap from the input", () => {
    expect(config.dns.bind_hosts).toEqual(["192.168.0.30"]);
    expect(config.dns.port).toBe(53);
    expect(config.http.address).toBe("192.168.0.30:3000");
    expect(config.dns.upstream_dns).toEqual(adguard.upstreamDns);
    expect(config.dns.bootstrap_dns).toEqual(adguard.bootstrapDns);
    expect(config.schema_version).toBe(ADGUARD_SCHEMA_VERSION);
  });

  test("only the site and admin networks may query; internal names are rewritten", () => {
    expect(config.dns.allowed_clients).toEqual(["192.168.0.0/24", "10.8.0.0/24"]);
    expect(config.filtering.rewrites).toEqual([
      { domain: "database-primary.bowbo.lan", answer: "192.168.0.10", enabled: true },
      { domain: "frappe-bowbo.bowbo.lan", answer: "192.168.0.50", enabled: true },
    ]);
  });

  test("the admin's password is a marker for the in-guest hash, never a value", () => {
    expect(config.users).toEqual([{ name: "admin", password: ADGUARD_HASH_MARKER }]);
  });

  test("bad input is reported all at once", () => {
    expect(() =>
      renderAdGuardHomeConfig({
        ...adguard,
        listenAddress: "x",
        bootstrapDns: ["dns.google"],
        allowedClients: ["10.0.0.0/33"],
        rewrites: [{ name: "A.lan", ip: "1.2.3" }],
      }),
    ).toThrow(/adguard.listenAddress[\s\S]*bootstrapDns[\s\S]*allowedClients[\s\S]*A.lan/);
  });
});

describe("AdGuard admin hash and config, as the script applies them", () => {
  const dir = scratchDir("adguard-apply");
  afterAll(() => dir.remove());
  const apply = renderScript({
    summary: "test",
    requiredEnv: [ADGUARD_PASSWORD_ENV],
    setup: "adguard_restart=0",
    files: [{ path: ADGUARD_PATHS.template, content: renderAdGuardHomeConfig(adguard), mode: "0640" }],
    body: `${renderAdGuardConfigApplyStep()}\necho "restart=$adguard_restart"`,
  });
  const runApply = (pw: string) =>
    run("bash", ["-c", apply], undefined, { PROVISION_ROOT: dir.path, [ADGUARD_PASSWORD_ENV]: pw });
  const live = join(dir.path, ADGUARD_PATHS.liveConfig);
  const hashFile = join(dir.path, ADGUARD_PATHS.adminHash);
  const first = password();
  let firstLive = "";

  test("the first run hashes the password with bcrypt in the guest and writes the live config", () => {
    const result = runApply(first);
    expect(result.output).toContain("restart=1");
    firstLive = readFileSync(live, "utf8");
    const hash = YAML.parse(firstLive).users[0].password as string;
    expect(hash).toMatch(/^\$2y\$10\$[./A-Za-z0-9]{53}$/);
    expect(bcryptVerifies(first, hash)).toBe(true);
    expect(bcryptVerifies(`${first}x`, hash)).toBe(false);
    expect(firstLive).not.toContain(first);
    expect(firstLive).not.toContain(ADGUARD_HASH_MARKER);
    expect(statSync(live).mode & 0o777).toBe(0o600);
    expect(statSync(hashFile).mode & 0o777).toBe(0o600);
  });

  test("a second run keeps the hash (bcrypt salts differ each time) and asks for no restart", () => {
    const result = runApply(first);
    expect(result.output).toContain("restart=0");
    expect(readFileSync(live, "utf8")).toBe(firstLive);
  });

  test("a new password gets a new hash that verifies it, and a restart", () => {
    const second = password();
    const result = runApply(second);
    expect(result.output).toContain("restart=1");
    const hash = YAML.parse(readFileSync(live, "utf8")).users[0].password as string;
    expect(bcryptVerifies(second, hash)).toBe(true);
    expect(bcryptVerifies(first, hash)).toBe(false);
  });
});

describe("AdGuard Home script", () => {
  const script = renderAdGuardHomeScript(adguard);
  test("is valid bash and shellcheck-clean", () => expectCleanShell(script));
  test("systemd-analyze verify accepts the unit", () =>
    verifyUnit("adguardhome.service", renderAdGuardHomeUnit(), ADGUARD_PATHS.binary));
  test("downloads the pinned release and checks its SHA-256", () => {
    expect(script).toContain(
      `https://github.com/AdguardTeam/AdGuardHome/releases/download/v0.107.79/AdGuardHome_linux_amd64.tar.gz`,
    );
    expect(script).toContain(adguard.sha256);
    expect(script).toContain("htpasswd -ciB -C 10");
  });
  test("refuses releases older than config schema 34 and malformed checksums", () => {
    expect(() => renderAdGuardHomeScript({ ...adguard, version: "v0.107.73", sha256: "abc" })).toThrow(
      /v0.107.73 predates[\s\S]*adguard.sha256/,
    );
  });
});

describe("cloudflared connector", () => {
  test("the token is written exactly (no newline), 0600, and only a change asks for a restart", () => {
    const dir = scratchDir("cloudflared-token");
    try {
      const step = renderScript({
        summary: "test",
        requiredEnv: [CLOUDFLARED_TOKEN_ENV],
        setup: "cloudflared_restart=0",
        body: `${renderCloudflaredTokenStep()}\necho "restart=$cloudflared_restart"`,
      });
      const token = randomBytes(120).toString("base64");
      const apply = (t: string) =>
        run("bash", ["-c", step], undefined, { PROVISION_ROOT: dir.path, [CLOUDFLARED_TOKEN_ENV]: t });
      const file = join(dir.path, "etc/cloudflared/token");
      expect(apply(token).output).toContain("restart=1");
      expect(readFileSync(file, "utf8")).toBe(token);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(apply(token).output).toContain("restart=0");
      chmodSync(file, 0o644);
      expect(apply(token).output).toContain("restart=0");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const rotated = randomBytes(120).toString("base64");
      expect(apply(rotated).output).toContain("restart=1");
      expect(readFileSync(file, "utf8")).toBe(rotated);
    } finally {
      dir.remove();
    }
  });

  test("the unit reads the token file and never holds the token", () => {
    const unit = renderCloudflaredUnit(cloudflared);
    expect(unit).toContain(
      "ExecStart=/usr/bin/cloudflared --no-autoupdate tunnel --metrics 192.168.0.30:20241 run --token-file /etc/cloudflared/token\n",
    );
    expect(unit).not.toMatch(/--token |TUNNEL_TOKEN=/);
    verifyUnit("cloudflared.service", unit, "/usr/bin/cloudflared");
  });

  test("the script is valid bash, shellcheck-clean, pinned to the .deb and its SHA-256", () => {
    const script = renderCloudflaredScript(cloudflared);
    expectCleanShell(script);
    expect(script).toContain(
      "https://github.com/cloudflare/cloudflared/releases/download/2025.8.1/cloudflared-linux-amd64.deb",
    );
    expect(script).toContain(cloudflared.sha256);
    expect(script).toContain(`: "\${${CLOUDFLARED_TOKEN_ENV}:?`);
  });

  test("downloads from a mirror given as baseUrl, and refuses one that is not https", () => {
    const script = renderCloudflaredScript({ ...cloudflared, baseUrl: "https://mirror.example/cloudflared" });
    expect(script).toContain("https://mirror.example/cloudflared/2025.8.1/cloudflared-linux-amd64.deb");
    expect(script).not.toContain("github.com");
    expect(() => renderCloudflaredScript({ ...cloudflared, baseUrl: "http://mirror.example/cf" })).toThrow(
      /cloudflared.baseUrl: http:\/\/mirror.example\/cf is not an https URL/,
    );
  });

  test("refuses releases without --token-file", () => {
    expect(() => renderCloudflaredScript({ ...cloudflared, version: "2025.3.9" })).toThrow(
      /predates --token-file/,
    );
    expect(() => renderCloudflaredScript({ ...cloudflared, version: "2024.12.2" })).toThrow(
      /predates --token-file/,
    );
    expect(() => renderCloudflaredScript({ ...cloudflared, version: "2026.1.0" })).not.toThrow();
  });
});

describe("pinned download", () => {
  // The test machine has no internet: a stand-in curl "downloads" a local file and logs each call.
  const dir = scratchDir("pinned");
  const asset = join(dir.path, "asset.bin");
  const installed = join(dir.path, "installed.bin");
  const log = join(dir.path, "curl.log");
  const content = randomBytes(4096);
  const env = { PATH: `${join(dir.path, "bin")}:${process.env.PATH}`, FAKE_ASSET: asset, FAKE_LOG: log };
  let realSha = "";
  beforeAll(() => {
    writeFileSync(asset, content);
    writeFileSync(log, "");
    mkdirSync(join(dir.path, "bin"));
    const fakeCurl = join(dir.path, "bin/curl");
    writeFileSync(
      fakeCurl,
      '#!/bin/bash\nwhile [ $# -gt 0 ]; do if [ "$1" = -o ]; then out="$2"; shift; fi; shift; done\ncp "$FAKE_ASSET" "$out"\necho call >>"$FAKE_LOG"\n',
    );
    chmodSync(fakeCurl, 0o755);
    realSha = createHash("sha256").update(content).digest("hex");
  });
  afterAll(() => dir.remove());
  const step = (sha256: string) =>
    `set -euo pipefail\nchanged=0\n${renderPinnedInstall({
      url: "https://example.invalid/asset.bin",
      sha256,
      stamp: join(dir.path, "stamp"),
      stampValue: `v1 ${sha256}`,
      install: [`cp "$download" ${installed}`],
      flag: "changed",
    })}\necho "changed=$changed"`;

  test("downloads, checks and installs once; a second run downloads nothing", () => {
    expect(run("bash", ["-c", step(realSha)], undefined, env).output).toContain("changed=1");
    expect(readFileSync(installed)).toEqual(content);
    expect(run("bash", ["-c", step(realSha)], undefined, env).output).toContain("changed=0");
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(1);
  });

  test("a file whose SHA-256 differs is refused and nothing is installed", () => {
    writeFileSync(installed, "previous");
    const wrong = realSha.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    const result = run("bash", ["-c", step(wrong)], undefined, env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("checksum mismatch");
    expect(readFileSync(installed, "utf8")).toBe("previous");
  });
});

test("the guest's two scripts and the UI origin", () => {
  const scripts = renderNetworkServicesScripts({ adguard, cloudflared });
  expect(scripts.adguard).toContain(`: "\${${ADGUARD_PASSWORD_ENV}:?`);
  expect(scripts.cloudflared).toContain(`: "\${${CLOUDFLARED_TOKEN_ENV}:?`);
  expect(adGuardHomeOrigin(adguard)).toBe("http://192.168.0.30:3000");
});
