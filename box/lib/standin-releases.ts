/**
 * Stand-ins for the vendor downloads of prod's network and monitoring tiers, built here because the
 * box cannot reach the vendors: a signed APT repository carrying a stand-in `grafana` package
 * (Grafana's repository), and an AdGuard Home release directory (tarball and checksums.txt). They
 * are served by the box's mirror (mirror.ts) and reached through the stack keys a user sets for a
 * mirror (`monitoring.grafanaApt`, `networkServices.adguard.baseUrl`).
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, resolve } from "node:path";
import { must, run } from "./sh";

const STANDINS = resolve(__dirname, "../standins");

/** Version of the stand-in `grafana` package (a tilde sorts it before any real release). */
export const GRAFANA_STANDIN_VERSION = "0~box1";

export interface SignedAptRepo {
  /** Directory served at the repository's URL (dists/, pool/, gpg.key). */
  dir: string;
  /** Fingerprint of the box's signing key (the stack's `monitoring.grafanaApt.keyFingerprint`). */
  fingerprint: string;
}

export interface StandInRelease {
  /** Directory served at the base URL: `<version>/<asset>` and `<version>/checksums.txt`. */
  dir: string;
  sha256: string;
}

const sha256Of = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** The box's repository signing key, kept in the cache like the box CA; returns its GNUPGHOME and fingerprint. */
async function signingKey(cacheDir: string): Promise<{ home: string; fingerprint: string }> {
  const home = join(cacheDir, "gnupg");
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  const list = () => run("gpg", ["--batch", "--with-colons", "--list-secret-keys"], { env });
  let listed = await list();
  if (!/^fpr:/m.test(listed.stdout)) {
    await must(
      "gpg",
      [
        "--batch",
        "--passphrase",
        "",
        "--quick-gen-key",
        "proxmox-sites box mirror <box@invalid>",
        "rsa3072",
        "sign",
        "never",
      ],
      { env },
    );
    listed = await list();
    await run("gpgconf", ["--kill", "all"], { env });
  }
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listed.stdout)?.[1];
  if (!fingerprint) throw new Error(`no signing key in ${home}: ${listed.stderr}`);
  return { home, fingerprint };
}

/** Builds the stand-in `grafana` .deb from box/standins/grafana into `out`. */
async function buildGrafanaDeb(work: string, out: string): Promise<void> {
  const pkg = join(work, "grafana-pkg");
  cpSync(join(STANDINS, "grafana"), pkg, { recursive: true });
  // The provisioning directories Grafana's package ships (git keeps no empty directory).
  for (const d of ["datasources", "dashboards", "alerting", "plugins"])
    mkdirSync(join(pkg, "etc/grafana/provisioning", d), { recursive: true });
  mkdirSync(join(pkg, "usr/share/grafana"), { recursive: true });
  writeFileSync(
    join(pkg, "DEBIAN/control"),
    [
      "Package: grafana",
      `Version: ${GRAFANA_STANDIN_VERSION}`,
      "Architecture: amd64",
      "Maintainer: proxmox-sites box <box@invalid>",
      "Depends: perl-base, passwd",
      "Description: Grafana stand-in of the proxmox-sites box",
      " Listens where Grafana would and answers /api/health; no dashboards, no queries.",
      "",
    ].join("\n"),
  );
  await must("dpkg-deb", ["--root-owner-group", "-Zgzip", "--build", pkg, out]);
}

/**
 * A signed APT repository (`deb <url> stable main`) with the stand-in `grafana` package: Packages,
 * Release signed inline (InRelease) and detached (Release.gpg), and the armored key as gpg.key.
 */
export async function buildGrafanaRepo(root: string, cacheDir: string): Promise<SignedAptRepo> {
  const dir = join(root, "grafana-apt");
  const poolDir = join(dir, "pool/main/g/grafana");
  const binDir = join(dir, "dists/stable/main/binary-amd64");
  mkdirSync(poolDir, { recursive: true });
  mkdirSync(binDir, { recursive: true });
  await buildGrafanaDeb(root, join(poolDir, `grafana_${GRAFANA_STANDIN_VERSION}_amd64.deb`));
  const scanned = await must("dpkg-scanpackages", ["--multiversion", "pool", "/dev/null"], { cwd: dir });
  const packages = Buffer.from(scanned);
  const packagesGz = gzipSync(packages);
  writeFileSync(join(binDir, "Packages"), packages);
  writeFileSync(join(binDir, "Packages.gz"), packagesGz);
  const index = [
    ["main/binary-amd64/Packages", packages],
    ["main/binary-amd64/Packages.gz", packagesGz],
  ] as const;
  const release = [
    "Origin: proxmox-sites box",
    "Label: Grafana stand-in",
    "Suite: stable",
    "Codename: stable",
    `Date: ${new Date().toUTCString()}`,
    "Architectures: amd64",
    "Components: main",
    "SHA256:",
    ...index.map(([name, data]) => ` ${sha256Of(data)} ${String(data.length).padStart(8)} ${name}`),
    "",
  ].join("\n");
  const dists = join(dir, "dists/stable");
  writeFileSync(join(dists, "Release"), release);
  const key = await signingKey(cacheDir);
  const env = { ...process.env, GNUPGHOME: key.home };
  const sign = (args: string[]) =>
    must("gpg", ["--batch", "--yes", "--local-user", key.fingerprint, ...args, join(dists, "Release")], {
      env,
    });
  let exported: string;
  try {
    await sign(["--clearsign", "--output", join(dists, "InRelease")]);
    await sign(["--armor", "--detach-sign", "--output", join(dists, "Release.gpg")]);
    exported = await must("gpg", ["--batch", "--armor", "--export", key.fingerprint], { env });
  } finally {
    // gpg starts an agent for the key: it does not outlive the build.
    await run("gpgconf", ["--kill", "all"], { env });
  }
  writeFileSync(join(dir, "gpg.key"), exported);
  return { dir, fingerprint: key.fingerprint };
}

/**
 * An AdGuard Home release as its GitHub release lays it out: `<version>/AdGuardHome_linux_amd64.tar.gz`
 * (holding `AdGuardHome/AdGuardHome`, the stand-in) and `<version>/checksums.txt`.
 */
export async function buildAdGuardRelease(root: string, version: string): Promise<StandInRelease> {
  const dir = join(root, "adguard");
  const tree = join(root, "adguard-tree");
  cpSync(join(STANDINS, "adguardhome"), join(tree, "AdGuardHome"), { recursive: true });
  const versionDir = join(dir, version);
  mkdirSync(versionDir, { recursive: true });
  const asset = "AdGuardHome_linux_amd64.tar.gz";
  const tarball = join(versionDir, asset);
  await must("tar", ["--owner=0", "--group=0", "-czf", tarball, "-C", tree, "AdGuardHome"]);
  if (!existsSync(tarball)) throw new Error(`no ${tarball}`);
  const sha256 = sha256Of(readFileSync(tarball));
  writeFileSync(join(versionDir, "checksums.txt"), `${sha256}  ./${asset}\n`);
  return { dir, sha256 };
}
