import fc from "fast-check";
import { renderPrelude } from "../../components/proxmox/script";
import { placeholdersIn } from "../../components/proxmox/secret-forms";
import {
  REDIS_APP_BASE_RULES,
  RedisAclInput,
  redisAppPasswordSha256Env,
  redisPasswordSha256,
  redisScriptEnv,
  redisScriptSecrets,
  renderRedisAcl,
} from "../../components/redis/redis-acl";
import { REDIS_ACL_PATH, redisMaxMemoryMb, renderRedisConfig } from "../../components/redis/redis-config";
import { renderRedisScript } from "../../components/redis/redis-script";
import { findProgram, run } from "../live/support/daemon";

const acl: RedisAclInput = {
  apps: [
    { name: "moodle", keyPatterns: ["moodle:*"], extraCommands: ["info"] },
    { name: "nextcloud_bowbo", keyPatterns: ["nc_bowbo:*", "nc_bowbo_lock:*"] },
  ],
};
const server = { bindAddress: "192.168.0.12", memoryMb: 4096 };

/** `directive value` lines of redis.conf. */
function directives(text: string): Map<string, string> {
  const lines = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  return new Map(lines.map((l) => [l.split(" ")[0], l.slice(l.indexOf(" ") + 1)]));
}

describe("redisMaxMemoryMb", () => {
  test.each([
    [256, 128],
    [4096, 2048],
    [8192, 4096],
  ])("a %i MB guest gets %i MB", (memoryMb, maxMb) => expect(redisMaxMemoryMb(memoryMb)).toBe(maxMb));

  test("is half the guest, leaving the other half for forks and buffers", () => {
    fc.assert(
      fc.property(fc.integer({ min: 256, max: 1_048_576 }), (mem) => {
        const max = redisMaxMemoryMb(mem);
        expect(max).toBeLessThanOrEqual(mem / 2);
        expect(max).toBeGreaterThan(mem / 2 - 1);
      }),
    );
  });

  test.each([128, 255, 1000.5])("rejects a %p MB guest", (memoryMb) => {
    expect(() => redisMaxMemoryMb(memoryMb)).toThrow(/memoryMb/);
  });
});

describe("renderRedisConfig", () => {
  test("binds the guest, keeps protected mode, persists every second and never evicts", () => {
    const d = directives(renderRedisConfig(server));
    expect(d.get("bind")).toBe("192.168.0.12");
    expect(d.get("protected-mode")).toBe("yes");
    expect(d.get("port")).toBe("6379");
    expect(d.get("maxmemory")).toBe("2048mb");
    expect(d.get("maxmemory-policy")).toBe("noeviction");
    expect(d.get("appendonly")).toBe("yes");
    expect(d.get("appendfsync")).toBe("everysec");
    expect(d.get("aclfile")).toBe(REDIS_ACL_PATH);
    expect(d.get("enable-debug-command")).toBe("no");
    expect(d.has("requirepass")).toBe(false);
    expect(d.has("rename-command")).toBe(false);
  });

  test.each([
    [{ bindAddress: "redis.lan" }, /bindAddress/],
    [{ port: 0 }, /port: 0/],
    [{ dataDir: "relative" }, /dataDir/],
    [{ memoryMb: 100 }, /memoryMb: 100/],
  ])("rejects %p", (change, message) => {
    expect(() => renderRedisConfig({ ...server, ...change })).toThrow(message);
  });
});

describe("renderRedisAcl", () => {
  const lines = renderRedisAcl(acl).trimEnd().split("\n");

  test("switches the default user off and gives every user a password hash placeholder", () => {
    expect(lines[0]).toBe("user default off resetpass resetkeys resetchannels -@all");
    for (const line of lines.slice(1))
      expect(line).toMatch(/^user [a-z0-9_]+ on #@@REDIS_[A-Z0-9_]+_PASSWORD_SHA256@@ /);
    expect(lines.some((l) => / >/.test(l) || / nopass/.test(l))).toBe(false);
  });

  test("an application user gets its key and channel patterns, the base rules, then its extra commands", () => {
    const moodle = lines.find((l) => l.startsWith("user moodle "))!;
    expect(moodle).toBe(
      `user moodle on #@@REDIS_APP_MOODLE_PASSWORD_SHA256@@ resetkeys ~moodle:* resetchannels &moodle:* ${REDIS_APP_BASE_RULES.join(" ")} +info`,
    );
    const nc = lines.find((l) => l.startsWith("user nextcloud_bowbo "))!;
    expect(nc).toContain("resetkeys ~nc_bowbo:* ~nc_bowbo_lock:* resetchannels &nextcloud_bowbo:* ");
    expect(nc).not.toContain("+info");
    expect(REDIS_APP_BASE_RULES).toEqual(expect.arrayContaining(["-@admin", "-@dangerous"]));
  });

  test("placeholders are exactly the script's variables", () => {
    expect(placeholdersIn(renderRedisAcl(acl)).sort()).toEqual(redisScriptEnv(acl));
    expect(redisScriptEnv(acl)).toEqual([
      "REDIS_ADMIN_PASSWORD_SHA256",
      "REDIS_APP_MOODLE_PASSWORD_SHA256",
      "REDIS_APP_NEXTCLOUD_BOWBO_PASSWORD_SHA256",
      "REDIS_MONITOR_PASSWORD_SHA256",
    ]);
  });

  test.each<[RedisAclInput, RegExp]>([
    [{ apps: [{ name: "moodle" }, { name: "moodle" }] }, /moodle is listed twice/],
    [{ apps: [{ name: "admin" }] }, /admin is listed twice/],
    [{ apps: [{ name: "default" }] }, /"default"/],
    [{ apps: [{ name: "Moodle" }] }, /"Moodle"/],
    [{ apps: [{ name: "-x" }] }, /"-x"/],
    [
      { apps: [{ name: "nc-a" }, { name: "nc_a" }] },
      /nc_a: another user already maps to REDIS_APP_NC_A_PASSWORD_SHA256/,
    ],
    [{ apps: [{ name: "m", keyPatterns: ["a b"] }] }, /keyPatterns of m: "a b"/],
    [{ apps: [{ name: "m", keyPatterns: [] }] }, /at least one/],
    [{ apps: [{ name: "m", extraCommands: ["INFO"] }] }, /extraCommands of m/],
    [{ apps: [], adminUser: "ops", monitorUser: "ops" }, /must differ/],
  ])("rejects %p", (input, message) => {
    expect(() => renderRedisAcl(input)).toThrow(message);
  });
});

describe("secrets", () => {
  test("the hash is Redis's: lower-case hex SHA-256 (public test vector for 'test')", () => {
    expect(redisPasswordSha256("test")).toBe(
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    );
    fc.assert(fc.property(fc.string(), (pw) => expect(redisPasswordSha256(pw)).toMatch(/^[0-9a-f]{64}$/)));
  });

  test("app variable names are valid prelude names", () => {
    expect(redisAppPasswordSha256Env("nextcloud-bowbo")).toBe("REDIS_APP_NEXTCLOUD_BOWBO_PASSWORD_SHA256");
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,31}$/), (name) => {
        fc.pre(name !== "default");
        expect(() => renderPrelude({ [redisAppPasswordSha256Env(name)]: "x" })).not.toThrow();
      }),
    );
  });

  test("redisScriptSecrets gives a hash under every required name", () => {
    const env = redisScriptSecrets({ admin: "a", monitor: "b", apps: { moodle: "c", nextcloud_bowbo: "d" } });
    expect(Object.keys(env).sort()).toEqual(redisScriptEnv(acl));
    expect(Object.values(env).every((v) => /^[0-9a-f]{64}$/.test(v))).toBe(true);
  });
});

describe("renderRedisScript", () => {
  const script = renderRedisScript({ server, acl });

  test("is shellcheck-clean", () => {
    expect(run(findProgram("shellcheck"), ["--severity=style", "--shell=bash", "-"], script).output).toBe("");
  });

  test("writes both files owner redis, mode 0640, and restarts only on a change", () => {
    expect(script).toContain("'/etc/redis/users.acl'");
    expect(script).toContain("'/etc/redis/redis.conf'");
    expect(script.match(/install -m 0640 /g)).toHaveLength(2);
    expect(script.match(/chown redis:redis /g)).toHaveLength(2);
    expect(script).toMatch(/if \[ "\$redis_restart" = 1 \]; then\n {2}systemctl restart redis-server/);
  });

  test("refuses a plain password where a hash belongs, before it changes anything", () => {
    const env = {
      ...redisScriptSecrets({ admin: "a", monitor: "b", apps: { moodle: "c", nextcloud_bowbo: "d" } }),
    };
    env.REDIS_APP_MOODLE_PASSWORD_SHA256 = "plain password";
    const r = run("bash", ["-s"], renderPrelude(env) + script, { PROVISION_ROOT: "/nonexistent" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/REDIS_APP_MOODLE_PASSWORD_SHA256 must be a lower-case hex SHA-256/);
  });
});
