/**
 * Where the Moodle cluster keeps things on its guests, shared by every renderer of the tier, and the
 * small input checks they all use. Pure: no Pulumi import.
 */
import { Problems } from "../proxmox/problems";

/** Paths and versions on an app node. Every renderer takes the same layout so they agree. */
export interface MoodleLayout {
  /** Moodle code (a git checkout), read-only to PHP. Default `/var/www/moodle`. */
  codeDir: string;
  /** Shared dataroot (the NFS mount), the same path on every node. Default `/var/moodledata`. */
  dataRoot: string;
  /** Node-local cache (`$CFG->localcachedir`). Default `/var/cache/moodle`. */
  localCacheDir: string;
  /** Directory of the balancer's health page, outside the code. Default `/var/www/moodle-health`. */
  healthDir: string;
  /** PHP version of Debian's packages (paths `/etc/php/<v>/…`, service `php<v>-fpm`). Default `8.2`. */
  phpVersion: string;
  /** Socket of the Moodle php-fpm pool. Default `/run/php/php<phpVersion>-fpm-moodle.sock`. */
  fpmSocketPath: string;
}

export const defaultMoodleLayout: MoodleLayout = {
  codeDir: "/var/www/moodle",
  dataRoot: "/var/moodledata",
  localCacheDir: "/var/cache/moodle",
  healthDir: "/var/www/moodle-health",
  phpVersion: "8.2",
  fpmSocketPath: "/run/php/php8.2-fpm-moodle.sock",
};

/**
 * File at the top of the shared dataroot, created by the NFS server script. The health page answers 200
 * only when it sees it, so a node whose NFS mount is missing (an empty local directory) gets no traffic.
 */
export const sharedMarkerFile = ".proxmox-sites-shared";

/**
 * Completes a partial layout with the defaults and checks it: done once, where the cluster's plan is
 * made; every renderer takes the resolved layout and trusts it.
 */
export function resolveLayout(layout: Partial<MoodleLayout> = {}): MoodleLayout {
  const full = { ...defaultMoodleLayout, ...layout };
  if (layout.fpmSocketPath === undefined)
    full.fpmSocketPath = `/run/php/php${full.phpVersion}-fpm-moodle.sock`;
  const problems = new Problems("moodle.layout");
  for (const key of ["codeDir", "dataRoot", "localCacheDir", "healthDir", "fpmSocketPath"] as const) {
    problems.check(
      /^\/[A-Za-z0-9._/-]*$/.test(full[key]),
      key,
      full[key],
      "an absolute path of [A-Za-z0-9._/-]",
    );
  }
  problems.check(/^\d+\.\d+$/.test(full.phpVersion), "phpVersion", full.phpVersion, "a version like 8.2");
  problems.check(
    !full.localCacheDir.startsWith(`${full.dataRoot}/`),
    "localCacheDir",
    full.localCacheDir,
    "outside the shared dataroot",
  );
  problems.throwIfAny();
  return full;
}

/** True for a Moodle git branch name such as `MOODLE_403_STABLE` (or `main`). */
export function isMoodleBranch(branch: string): boolean {
  return /^MOODLE_\d{2,3}_STABLE$/.test(branch) || branch === "main";
}

/**
 * The directory nginx serves: the code directory, or its `public/` subdirectory from Moodle 5.1
 * (`MOODLE_501_STABLE`, and `main`), where the web root moved below the code.
 */
export function moodleDocumentRoot(codeDir: string, branch: string): string {
  const m = /^MOODLE_(\d{2,3})_STABLE$/.exec(branch);
  return m && Number(m[1]) < 501 ? codeDir : `${codeDir}/public`;
}

export { isHostName, isIpv4, isPort, isSafeName } from "../web-cluster/checks";
export { Problems } from "../proxmox/problems";
