import { randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppNodeScriptInput, renderAppNodeScript } from "../../components/moodle/app-script";
import { sharedMarkerFile } from "../../components/moodle/layout";
import { phpFpmPoolSizing } from "../../components/moodle/php-fpm";
import { findProgram, run } from "../live/support/daemon";
import { createSandbox, Sandbox } from "../live/fixtures/moodle/sandbox";

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
  nfs: { server: "10.10.0.40" },
};

const fstabLine =
  "10.10.0.40:/srv/moodledata /var/moodledata nfs rw,hard,nfsvers=4.2,proto=tcp,timeo=600,retrans=2,noatime,_netdev,nofail 0 0";

let box: Sandbox;
let env: Record<string, string>;
beforeEach(() => {
  box = createSandbox("moodle-app-script");
  env = {
    MOODLE_DB_PASSWORD: `${randomBytes(8).toString("hex")}'"\\$&`,
    MOODLE_REDIS_PASSWORD: randomBytes(12).toString("base64"),
    STUB_BRANCH: "MOODLE_405_STABLE",
  };
  // What Debian's packages leave behind: the default site and pool, an fstab with an old dataroot line.
  mkdirSync(join(box.root, "etc/nginx/sites-enabled"), { recursive: true });
  writeFileSync(join(box.root, "etc/nginx/sites-enabled/default"), "server {}\n");
  mkdirSync(join(box.root, "etc/php/8.2/fpm/pool.d"), { recursive: true });
  writeFileSync(join(box.root, "etc/php/8.2/fpm/pool.d/www.conf"), "[www]\n");
  writeFileSync(
    join(box.root, "etc/fstab"),
    "# static file system information\nold:/export /var/moodledata nfs defaults 0 0\nproc /proc proc defaults 0 0\n",
  );
});
afterEach(() => box.remove());

test("shellcheck passes and no secret is in the script text", () => {
  const script = renderAppNodeScript(input);
  expect(run(findProgram("shellcheck"), ["-"], script).output).toBe("");
  expect(script).toContain("@@MOODLE_DB_PASSWORD@@");
  for (const name of ["MOODLE_DB_PASSWORD", "MOODLE_REDIS_PASSWORD"])
    expect(script).toContain(`"\${${name}:?`);
});

test("first run sets the node up; a second run changes nothing", () => {
  const script = renderAppNodeScript(input);
  // The share as the NFS server prepared it.
  mkdirSync(join(box.root, "var/moodledata"), { recursive: true });
  writeFileSync(join(box.root, "var/moodledata", sharedMarkerFile), "shared\n");
  const first = box.run(script, env);
  expect(first.output).toBe("");
  expect(first.status).toBe(0);
  expect(first.calls).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^git clone --quiet --depth 1 --single-branch --branch MOODLE_405_STABLE https:\/\/github\.com\/moodle\/moodle\.git /,
      ),
      "mount /var/moodledata",
      "php-fpm8.2 -t",
      "nginx -t -q",
      "systemctl start php8.2-fpm.service",
      "systemctl start nginx.service",
    ]),
  );
  const config = join(box.root, "var/www/moodle/config.php");
  expect(readFileSync(config, "utf8")).toContain(`\n${env.MOODLE_DB_PASSWORD}\n`);
  expect(statSync(config).mode & 0o777).toBe(0o640);
  expect(statSync(join(box.root, "var/www/moodle/version.php")).isFile()).toBe(true);
  expect(readlinkSync(join(box.root, "etc/nginx/sites-enabled/moodle"))).toBe(
    "/etc/nginx/sites-available/moodle",
  );
  expect(() => lstatSync(join(box.root, "etc/nginx/sites-enabled/default"))).toThrow();
  expect(statSync(join(box.root, "etc/php/8.2/fpm/pool.d/www.conf.disabled")).isFile()).toBe(true);
  const fstab = readFileSync(join(box.root, "etc/fstab"), "utf8").split("\n");
  expect(fstab.filter((l) => l.includes("/var/moodledata"))).toEqual([fstabLine]);
  expect(fstab).toContain("proc /proc proc defaults 0 0");
  expect(statSync(join(box.root, "var/cache/moodle")).mode & 0o7777).toBe(0o2770);
  expect(first.output).not.toContain("warning");

  const tree = box.tree();
  const second = box.run(script, env);
  expect(second.status).toBe(0);
  expect(second.calls.filter((c) => !/ is-(active|enabled) |^git -C /.test(c))).toEqual([]);
  expect(box.tree()).toEqual(tree);
});

test("a failed nginx check keeps the reload pending until a run succeeds", () => {
  const script = renderAppNodeScript(input);
  const failed = box.run(script, { ...env, STUB_FAIL: "nginx" });
  expect(failed.status).not.toBe(0);
  expect(failed.calls).not.toContain("systemctl start nginx.service");
  const retried = box.run(script, env);
  expect(retried.status).toBe(0);
  expect(retried.calls).toContain("nginx -t -q");
  expect(retried.calls).toContain("systemctl start nginx.service");
});

test("a changed secret rewrites config.php and reloads php-fpm only", () => {
  const script = renderAppNodeScript(input);
  expect(box.run(script, env).status).toBe(0);
  const rotated = box.run(script, { ...env, MOODLE_DB_PASSWORD: randomBytes(10).toString("hex") });
  expect(rotated.status).toBe(0);
  expect(rotated.calls).toContain("systemctl reload php8.2-fpm.service");
  expect(rotated.calls).not.toContain("systemctl reload nginx.service");
});

test("an existing checkout on another branch is kept, with a warning", () => {
  const result = box.run(renderAppNodeScript(input), { ...env, STUB_BRANCH: "MOODLE_404_STABLE" });
  expect(result.status).toBe(0);
  expect(result.output).toContain("is at MOODLE_404_STABLE, not MOODLE_405_STABLE");
});

test("without NFS the dataroot is expected as a bind mount", () => {
  const script = renderAppNodeScript({ ...input, nfs: undefined });
  const result = box.run(script, env);
  expect(result.status).toBe(0);
  expect(result.output).toContain("is not a mount point");
  expect(result.output).toContain(`has no ${sharedMarkerFile}: the health page keeps this node out`);
  expect(result.calls.some((c) => c.startsWith("mount "))).toBe(false);
  expect(script).not.toContain("nfs-common");
});
