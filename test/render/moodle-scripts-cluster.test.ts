import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { renderCronScript, renderCronService, renderCronTimer } from "../../components/moodle/cron";
import { InstallerScriptInput, renderInstallerScript } from "../../components/moodle/installer-script";
import {
  defaultMoodleLayout as layout,
  resolveLayout,
  sharedMarkerFile,
} from "../../components/moodle/layout";
import { renderGaneshaConfig } from "../../components/web-cluster/nfs";
import { renderNfsServerScript } from "../../components/web-cluster/nfs-script";
import { renderStorageNodeScript } from "../../components/web-cluster/storage-node-script";
import { findProgram, run } from "../live/support/daemon";
import { createSandbox, Sandbox } from "../live/fixtures/moodle/sandbox";
import { runAsUnprivilegedGuest } from "../live/support/namespaces";
import { shellProblems } from "../live/support/shell";

let box: Sandbox;
beforeEach(() => {
  box = createSandbox("moodle-cluster-script");
});
afterEach(() => box.remove());

describe("installer (one node)", () => {
  interface FakeState {
    tables: Record<string, string> | [];
    version: number | null;
    stores: Record<string, { configuration: Record<string, unknown> }> | [];
    mappings: { mode: number; store: string }[];
    calls: string[];
    installs: { argv: string[]; passwordInEnvironment: boolean }[];
  }
  let code: string;
  let env: Record<string, string>;
  let input: InstallerScriptInput;
  const state = (): FakeState => JSON.parse(readFileSync(join(code, "state.json"), "utf8")) as FakeState;

  beforeEach(() => {
    code = join(box.dir, "code");
    cpSync(join(__dirname, "../live/fixtures/moodle/fake-moodle"), code, { recursive: true });
    writeFileSync(
      join(code, "state.json"),
      JSON.stringify({
        tables: [],
        version: null,
        stores: {},
        mappings: [{ mode: 1, store: "default_application", sort: 0 }],
        calls: [],
        installs: [],
      }),
    );
    env = {
      MOODLE_ADMIN_PASSWORD: `${randomBytes(8).toString("hex")}'"$ &`,
      MOODLE_REDIS_PASSWORD: randomBytes(12).toString("hex"),
    };
    input = {
      adminEmail: "admin@school.example",
      fullName: "SMA Negeri Contoh LMS",
      shortName: "LMS",
      muc: { host: "10.10.0.12" },
      layout: resolveLayout({ codeDir: code }),
    };
  });

  test("shellcheck passes", () => {
    expect(shellProblems(renderInstallerScript(input))).toBe("");
  });

  test("installs an empty database once, with the admin password never on a command line", () => {
    const script = renderInstallerScript(input);
    expect(script).not.toContain(env.MOODLE_ADMIN_PASSWORD);
    const first = box.run(script, env);
    expect(first.status).toBe(0);
    expect(state().installs).toHaveLength(1);
    const [install] = state().installs;
    expect(install.argv).toEqual(
      expect.arrayContaining([
        "--agree-license",
        "--adminuser=admin",
        "--adminemail=admin@school.example",
        "--fullname=SMA Negeri Contoh LMS",
        `--adminpass=${env.MOODLE_ADMIN_PASSWORD}`,
      ]),
    );
    expect(install.passwordInEnvironment).toBe(false);
    for (const call of first.calls) expect(call).not.toContain(env.MOODLE_ADMIN_PASSWORD);
    expect(first.calls.every((c) => c.startsWith("runuser -u www-data -- php "))).toBe(true);

    const second = box.run(script, env);
    expect(second.status).toBe(0);
    expect(second.output).toContain("Moodle is already installed");
    expect(state().installs).toHaveLength(1);
  });

  test("puts the application cache in Redis once, and corrects it when the password changes", () => {
    const script = renderInstallerScript(input);
    expect(box.run(script, env).output).toContain("application cache in Redis: changed");
    const s = state();
    expect(s.calls).toEqual(["add redis_application", "map"]);
    expect(s.stores).toMatchObject({
      redis_application: {
        configuration: { server: "10.10.0.12:6379", password: env.MOODLE_REDIS_PASSWORD, prefix: "mdl_muc_" },
      },
    });
    expect(s.mappings.filter((m) => m.mode === 1).map((m) => m.store)).toEqual(["redis_application"]);

    expect(box.run(script, env).output).toContain("application cache in Redis: unchanged");
    expect(state().calls).toHaveLength(2);

    const rotated = box.run(script, { ...env, MOODLE_REDIS_PASSWORD: randomBytes(12).toString("hex") });
    expect(rotated.output).toContain("application cache in Redis: changed");
    expect(state().calls).toEqual(["add redis_application", "map", "edit redis_application"]);
  });

  test("with an ACL user the cache store authenticates as [user, password], and a second run keeps it", () => {
    const script = renderInstallerScript({
      ...input,
      muc: { host: "10.10.0.12", user: "moodle", prefix: "moodle:muc:" },
    });
    expect(box.run(script, env).output).toContain("application cache in Redis: changed");
    expect(state().stores).toMatchObject({
      redis_application: {
        configuration: { password: ["moodle", env.MOODLE_REDIS_PASSWORD], prefix: "moodle:muc:" },
      },
    });
    expect(box.run(script, env).output).toContain("application cache in Redis: unchanged");
    // A store first set up for the default user is moved to the ACL user.
    const plain = renderInstallerScript({ ...input, muc: { host: "10.10.0.12", prefix: "moodle:muc:" } });
    expect(box.run(plain, env).output).toContain("application cache in Redis: changed");
    expect(state().stores).toMatchObject({
      redis_application: { configuration: { password: env.MOODLE_REDIS_PASSWORD } },
    });
    expect(box.run(script, env).output).toContain("application cache in Redis: changed");
    expect(state().calls).toEqual([
      "add redis_application",
      "map",
      "edit redis_application",
      "edit redis_application",
    ]);
  });

  test("a partly installed database stops the script instead of installing over it", () => {
    const s = state();
    writeFileSync(join(code, "state.json"), JSON.stringify({ ...s, tables: { config: "config" } }));
    const result = box.run(renderInstallerScript(input), env);
    expect(result.status).toBe(1);
    expect(result.output).toContain("partly installed (partial)");
    expect(state().installs).toHaveLength(0);
  });
});

describe("cron (exactly one node)", () => {
  test("systemd-analyze accepts the units; the timer fires every minute", () => {
    const service = join(box.dir, "moodle-cron.service");
    const timer = join(box.dir, "moodle-cron.timer");
    writeFileSync(service, renderCronService(layout));
    writeFileSync(timer, renderCronTimer());
    const result = run(findProgram("systemd-analyze"), ["verify", service, timer]);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
    expect(renderCronService(layout)).toContain("ExecStart=/usr/bin/php /var/www/moodle/admin/cli/cron.php");
    expect(renderCronService(layout)).toContain("User=www-data");
    expect(renderCronService(layout)).toContain(`ConditionPathExists=/var/moodledata/${sharedMarkerFile}`);
  });

  test("the cron node gets the timer once; another node retires it", () => {
    const on = renderCronScript({ enabled: true, layout });
    const off = renderCronScript({ enabled: false, layout });
    expect(shellProblems(on)).toBe("");
    expect(shellProblems(off)).toBe("");
    const first = box.run(on);
    expect(first.status).toBe(0);
    expect(first.calls).toEqual(
      expect.arrayContaining([
        "systemctl daemon-reload",
        "systemctl enable --quiet moodle-cron.timer",
        "systemctl start moodle-cron.timer",
      ]),
    );
    const second = box.run(on);
    expect(second.calls.filter((c) => !/ is-(active|enabled) /.test(c))).toEqual([]);

    const retired = box.run(off);
    expect(retired.calls).toContain("systemctl disable --now --quiet moodle-cron.timer");
    expect(() => statSync(join(box.root, "etc/systemd/system/moodle-cron.timer"))).toThrow();
    expect(box.run(off).calls).toEqual([]);
  });
});

describe("NFS", () => {
  test("Ganesha's export lets each Proxmox node in once, read-write without root squash, and nobody else", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 1, max: 254 }))
            .map(([a, b]) => `10.${a}.0.${b}`),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (clients) => {
          const config = renderGaneshaConfig({ clients });
          const client = /CLIENT \{([^}]*)\}/.exec(config)?.[1] ?? "";
          expect(/Clients = ([^;]*);/.exec(client)?.[1].split(", ")).toEqual([...new Set(clients)].sort());
          expect(client).toContain("Access_Type = RW;");
          expect(client).toContain("Squash = No_Root_Squash;");
          expect(client).toContain("Protocols = 4;");
          // Outside the CLIENT block: no access, root squashed, NFSv4 over TCP only.
          const rest = config.replace(/CLIENT \{[^}]*\}/, "");
          expect(rest.match(/Access_Type = \w+;/g)).toEqual(["Access_Type = None;", "Access_Type = None;"]);
          expect(rest).not.toContain("No_Root_Squash");
          expect(rest.match(/Protocols = \w+;/g)).toEqual([
            "Protocols = 4;",
            "Protocols = 4;",
            "Protocols = 4;",
          ]);
          expect(rest).toContain('Path = "/srv/moodledata";');
          expect(rest).toContain('Pseudo = "/srv/moodledata";');
        },
      ),
    );
    expect(() => renderGaneshaConfig({ clients: ["10.0.0.0/8"] })).toThrow(/moodle\.nfs\.clients/);
    expect(() => renderGaneshaConfig({ clients: ["10.0.0.1"], exportPath: '/srv/a";x' })).toThrow(
      /moodle\.nfs\.exportPath/,
    );
  });

  test("the server script prepares the dataroot for the app nodes' www-data (100033) once", () => {
    const script = renderNfsServerScript({ clients: ["10.10.0.2", "10.10.0.3"] });
    expect(shellProblems(script)).toBe("");
    const first = box.run(script);
    expect(first.status).toBe(0);
    expect(first.calls).toContain("systemctl restart nfs-ganesha.service");
    const top = statSync(join(box.root, "srv/moodledata"));
    expect([top.uid, top.mode & 0o7777]).toEqual([0, 0o755]);
    const dir = statSync(join(box.root, "srv/moodledata/moodledata"));
    expect([dir.uid, dir.gid, dir.mode & 0o7777]).toEqual([100033, 100033, 0o2770]);
    expect(statSync(join(box.root, "srv/moodledata/moodledata", sharedMarkerFile)).uid).toBe(100033);
    expect(readFileSync(join(box.root, "etc/ganesha/ganesha.conf"), "utf8")).toBe(
      renderGaneshaConfig({ clients: ["10.10.0.2", "10.10.0.3"] }),
    );
    const tree = box.tree();
    const second = box.run(script);
    expect(second.calls.filter((c) => !/ is-(active|enabled) /.test(c))).toEqual([]);
    expect(box.tree()).toEqual(tree);
  });

  test("www-data of an unprivileged guest (33 → 100033) writes the share; another guest user does not", () => {
    expect(box.run(renderNfsServerScript({ clients: ["10.10.0.2"] })).status).toBe(0);
    // The guest must traverse the path to the share, as the node's /mnt/pve/<id> is traversable.
    for (let d = join(box.root, "srv/moodledata"); d.startsWith(box.dir); d = dirname(d)) chmodSync(d, 0o755);
    const share = join(box.root, "srv/moodledata/moodledata");
    const guest = runAsUnprivilegedGuest(
      [
        'stat -c "%u:%g" "$1"',
        'setpriv --reuid=33 --regid=33 --clear-groups sh -c \'echo data >"$1/filedir-test"\' sh "$1" && echo www-data wrote',
        'setpriv --reuid=1000 --regid=1000 --clear-groups touch "$1/other" 2>/dev/null || echo uid 1000 refused',
      ].join("\n"),
      [share],
    );
    expect(guest.output).toBe("33:33\nwww-data wrote\nuid 1000 refused\n");
    const written = statSync(join(share, "filedir-test"));
    expect([written.uid, written.gid]).toEqual([100033, 100033]);
  });
});

describe("the shared storage on a Proxmox node", () => {
  const storageDir = () => join(box.root, "mnt/pve/moodle-shared");
  /** pvesm stand-in: `pvesm status` "mounts" the storage when STUB_NFS_UP is set, as activation does. */
  const pvesm = () => {
    const path = join(box.dir, "bin/pvesm");
    writeFileSync(
      path,
      '#!/usr/bin/env bash\necho "pvesm $*" >>"$STUB_LOG"\nif [ -n "${STUB_NFS_UP:-}" ]; then touch "$STUB_STATE/mounted"; fi\n',
    );
    chmodSync(path, 0o755);
  };
  /** /mnt/pve is world-traversable on a node; the scratch directories are not. */
  const traversable = () => {
    mkdirSync(storageDir(), { recursive: true });
    for (let d = storageDir(); d.startsWith(box.dir); d = dirname(d)) chmodSync(d, 0o755);
  };
  const script = (waitSeconds = 60) =>
    renderStorageNodeScript({ storageId: "moodle-shared", directory: "moodledata", waitSeconds });

  test("shellcheck passes", () => {
    expect(shellProblems(script())).toBe("");
  });

  test("activates the storage, then checks the dataroot's owner and writes the marker as that owner", () => {
    pvesm();
    traversable();
    mkdirSync(join(storageDir(), "moodledata"), { recursive: true });
    chownSync(join(storageDir(), "moodledata"), 100033, 100033);
    const first = box.run(script(), { STUB_NFS_UP: "1" });
    expect([first.status, first.output]).toEqual([0, ""]);
    expect(first.calls).toEqual(["pvesm status --storage moodle-shared"]);
    expect(statSync(join(storageDir(), "moodledata", sharedMarkerFile)).uid).toBe(100033);
    const tree = box.tree();
    const second = box.run(script(), { STUB_NFS_UP: "1" });
    expect([second.status, second.calls]).toEqual([0, []]);
    expect(box.tree()).toEqual(tree);
  });

  test("creates a missing dataroot for 100033 where the export lets the node (no root_squash)", () => {
    pvesm();
    traversable();
    const result = box.run(script(), { STUB_NFS_UP: "1" });
    expect(result.status).toBe(0);
    const dir = statSync(join(storageDir(), "moodledata"));
    expect([dir.uid, dir.gid, dir.mode & 0o7777]).toEqual([100033, 100033, 0o2770]);
  });

  test("stops, within its wait, when the storage is not mounted or the dataroot has another owner", () => {
    pvesm();
    const started = Date.now();
    const down = box.run(script(4));
    expect(down.status).not.toBe(0);
    expect(down.output).toContain("error: storage moodle-shared is not mounted at /mnt/pve/moodle-shared");
    expect(down.calls.length).toBe(2);
    expect(Date.now() - started).toBeLessThan(15000);
    mkdirSync(join(storageDir(), "moodledata"), { recursive: true });
    const wrongOwner = box.run(script(), { STUB_NFS_UP: "1" });
    expect(wrongOwner.status).not.toBe(0);
    expect(wrongOwner.output).toContain("belongs to 0:0, not 100033:100033");
  });
});
