import { phpString } from "../../components/proxmox/php-string";
import { randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppNodeScriptInput, renderAppNodeScript } from "../../components/moodle/app-script";
import { defaultMoodleLayout, sharedMarkerFile } from "../../components/moodle/layout";
import { renderAppMountScript } from "../../components/web-cluster/mount-script";
import { phpFpmPoolSizing } from "../../components/moodle/php-fpm";
import { findProgram, run } from "../live/support/daemon";
import { createSandbox, Sandbox, ScriptRun } from "../live/fixtures/moodle/sandbox";

const input: AppNodeScriptInput = {
  moodleBranch: "MOODLE_405_STABLE",
  site: {
    serverName: "lms.school.example",
    trustedProxies: ["10.10.0.20", "10.10.0.21", "10.10.0.22", "127.0.0.1"],
  },
  pool: { sizing: phpFpmPoolSizing({ memoryMb: 16384 }) },
  config: {
    wwwroot: "https://lms.school.example",
    database: { host: "10.10.0.10", name: "moodle", user: "moodle" },
    redis: { host: "10.10.0.12" },
  },
  layout: defaultMoodleLayout,
};

let box: Sandbox;
let env: Record<string, string>;
beforeEach(() => {
  box = createSandbox("moodle-app-script");
  env = {
    MOODLE_DB_PASSWORD: `${randomBytes(8).toString("hex")}'"\\$&`,
    MOODLE_REDIS_PASSWORD: randomBytes(12).toString("base64"),
    STUB_BRANCH: "MOODLE_405_STABLE",
  };
  // What Debian's packages leave behind: the default site and pool, an fstab.
  mkdirSync(join(box.root, "etc/nginx/sites-enabled"), { recursive: true });
  writeFileSync(join(box.root, "etc/nginx/sites-enabled/default"), "server {}\n");
  mkdirSync(join(box.root, "etc/php/8.2/fpm/pool.d"), { recursive: true });
  writeFileSync(join(box.root, "etc/php/8.2/fpm/pool.d/www.conf"), "[www]\n");
  writeFileSync(
    join(box.root, "etc/fstab"),
    "# static file system information\nproc /proc proc defaults 0 0\n",
  );
});
afterEach(() => box.remove());

/** The node's steps as the tier orders them: the app script, then the dataroot check (skipped if it failed). */
function nodeScripts(app: AppNodeScriptInput = input): string[] {
  return [renderAppNodeScript(app), renderAppMountScript({ dataRoot: app.layout.dataRoot })];
}

/** The shared dataroot as Proxmox gives it: a mount point (the bind mount) with the NFS side's marker. */
function bindMountShare(): void {
  mkdirSync(join(box.root, "var/moodledata"), { recursive: true });
  writeFileSync(join(box.root, "var/moodledata", sharedMarkerFile), "shared\n");
  writeFileSync(join(box.dir, "state/mounted"), "");
}

/** Runs the scripts in order, stopping at the first that fails, as Pulumi would; outputs and calls joined. */
function runInOrder(scripts: string[], runEnv: Record<string, string>): ScriptRun {
  const runs: ScriptRun[] = [];
  for (const script of scripts) {
    runs.push(box.run(script, runEnv));
    if (runs[runs.length - 1].status !== 0) break;
  }
  return {
    status: runs[runs.length - 1].status,
    output: runs.map((r) => r.output).join(""),
    calls: runs.flatMap((r) => r.calls),
  };
}

test("shellcheck passes and no secret is in the script text", () => {
  const [script, mount] = nodeScripts();
  expect(run(findProgram("shellcheck"), ["-"], script).output).toBe("");
  expect(script).toContain("@@MOODLE_DB_PASSWORD:php@@");
  for (const name of ["MOODLE_DB_PASSWORD", "MOODLE_REDIS_PASSWORD"])
    expect(script).toContain(`"\${${name}:?`);
  expect(run(findProgram("shellcheck"), ["-"], mount).output).toBe("");
  expect(mount).not.toContain("must be exported by the stdin prelude");
});

test("the guest mounts nothing: no NFS client, no fstab line; the dataroot step only checks the bind mount", () => {
  const [script, mount] = nodeScripts();
  const alone = box.run(script, env);
  expect(alone.status).toBe(0);
  expect(alone.calls).toContain("systemctl start nginx.service");
  for (const text of [script, mount]) {
    expect(text).not.toContain("nfs-common");
    expect(text).not.toContain("fstab");
    expect(text).not.toMatch(/^\s*mount /m);
  }
  expect(mount).not.toContain("apt-get");
  // Without the bind mount the step fails, so neither the installer nor cron writes to the local disk.
  const missing = box.run(mount, env);
  expect(missing.status).not.toBe(0);
  expect(missing.output).toContain("is not a mount point");
  mkdirSync(join(box.root, "var/moodledata"), { recursive: true });
  writeFileSync(join(box.dir, "state/mounted"), "");
  const unmarked = box.run(mount, env);
  expect(unmarked.status).not.toBe(0);
  expect(unmarked.output).toContain(`has no ${sharedMarkerFile}`);
  writeFileSync(join(box.root, "var/moodledata", sharedMarkerFile), "shared\n");
  const mounted = box.run(mount, env);
  expect([mounted.status, mounted.output, mounted.calls]).toEqual([0, "", []]);
});

test("first run sets the node up; a second run changes nothing", () => {
  const scripts = nodeScripts();
  bindMountShare();
  const first = runInOrder(scripts, env);
  expect(first.output).toBe("");
  expect(first.status).toBe(0);
  expect(first.calls).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^git clone --quiet --depth 1 --single-branch --branch MOODLE_405_STABLE https:\/\/github\.com\/moodle\/moodle\.git /,
      ),
      "php-fpm8.2 -t",
      "nginx -t -q",
      "systemctl start php8.2-fpm.service",
      "systemctl start nginx.service",
    ]),
  );
  const config = join(box.root, "var/www/moodle/config.php");
  expect(readFileSync(config, "utf8")).toContain(`$CFG->dbpass = ${phpString(env.MOODLE_DB_PASSWORD)};`);
  expect(statSync(config).mode & 0o777).toBe(0o640);
  expect(statSync(join(box.root, "var/www/moodle/version.php")).isFile()).toBe(true);
  expect(readlinkSync(join(box.root, "etc/nginx/sites-enabled/moodle"))).toBe(
    "/etc/nginx/sites-available/moodle",
  );
  expect(() => lstatSync(join(box.root, "etc/nginx/sites-enabled/default"))).toThrow();
  expect(statSync(join(box.root, "etc/php/8.2/fpm/pool.d/www.conf.disabled")).isFile()).toBe(true);
  expect(readFileSync(join(box.root, "etc/fstab"), "utf8")).toBe(
    "# static file system information\nproc /proc proc defaults 0 0\n",
  );
  expect(statSync(join(box.root, "var/cache/moodle")).mode & 0o7777).toBe(0o2770);
  expect(first.output).not.toContain("warning");

  const tree = box.tree();
  const second = runInOrder(scripts, env);
  expect(second.status).toBe(0);
  expect(second.calls.filter((c) => !/ is-(active|enabled) |^git -C /.test(c))).toEqual([]);
  expect(box.tree()).toEqual(tree);
});

test("a failed nginx check keeps the reload pending until a run succeeds", () => {
  const scripts = nodeScripts();
  const failed = runInOrder(scripts, { ...env, STUB_FAIL: "nginx" });
  expect(failed.status).not.toBe(0);
  expect(failed.calls).not.toContain("systemctl start nginx.service");
  bindMountShare();
  const retried = runInOrder(scripts, env);
  expect(retried.status).toBe(0);
  expect(retried.calls).toContain("nginx -t -q");
  expect(retried.calls).toContain("systemctl start nginx.service");
});

test("a changed secret rewrites config.php and reloads php-fpm only", () => {
  const scripts = nodeScripts();
  bindMountShare();
  expect(runInOrder(scripts, env).status).toBe(0);
  const rotated = runInOrder(scripts, { ...env, MOODLE_DB_PASSWORD: randomBytes(10).toString("hex") });
  expect(rotated.status).toBe(0);
  expect(rotated.calls).toContain("systemctl reload php8.2-fpm.service");
  expect(rotated.calls).not.toContain("systemctl reload nginx.service");
});

test("an existing checkout on another branch is kept, with a warning", () => {
  bindMountShare();
  const result = runInOrder(nodeScripts(), { ...env, STUB_BRANCH: "MOODLE_404_STABLE" });
  expect(result.status).toBe(0);
  expect(result.output).toContain("is at MOODLE_404_STABLE, not MOODLE_405_STABLE");
});
