import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { renderBalancerScript, BalancerScriptInput } from "../../components/web-cluster/balancer-script";
import { findProgram, run } from "../live/support/daemon";
import { createSandbox, Sandbox } from "../live/fixtures/moodle/sandbox";
import { keepalivedPair } from "./fixtures/balancer-pair";

const input: BalancerScriptInput = {
  haproxy: {
    nodes: [
      { name: "app1", address: "10.10.0.31", port: 80 },
      { name: "app2", address: "10.10.0.32", port: 80 },
    ],
    frontend: { address: "10.10.0.21", port: 80 },
    vip: "10.10.0.20",
    stats: { address: "10.10.0.21", port: 8404, user: "admin" },
  },
  keepalived: keepalivedPair,
};

let box: Sandbox;
let env: Record<string, string>;
beforeEach(() => {
  box = createSandbox("moodle-lb-script");
  // Any character but the single quote that encloses it in haproxy.cfg.
  env = {
    HAPROXY_STATS_PASSWORD: `${randomBytes(8).toString("hex")}#$ "\\&`,
    KEEPALIVED_AUTH_PASSWORD: randomBytes(4).toString("hex"),
  };
});
afterEach(() => box.remove());

test("shellcheck passes and no secret is in the script text", () => {
  const script = renderBalancerScript(input);
  const result = run(findProgram("shellcheck"), ["-"], script);
  expect(result.output).toBe("");
  expect(script).toContain('"${HAPROXY_STATS_PASSWORD:?');
  expect(script).toContain('"${KEEPALIVED_AUTH_PASSWORD:?');
  for (const secret of Object.values(env)) expect(script).not.toContain(secret);
});

test("first run checks and activates the configs; a second run changes nothing", () => {
  const script = renderBalancerScript(input);
  const first = box.run(script, env);
  expect(first.output).toBe("");
  expect(first.status).toBe(0);
  const live = join(box.root, "etc/haproxy/haproxy.cfg");
  expect(readFileSync(live, "utf8")).toContain(`stats auth 'admin:${env.HAPROXY_STATS_PASSWORD}'`);
  expect(statSync(live).mode & 0o777).toBe(0o640);
  expect(statSync(join(box.root, "etc/proxmox-sites/moodle/haproxy.cfg")).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(box.root, "etc/keepalived/keepalived.conf"), "utf8")).toContain(
    `auth_pass ${env.KEEPALIVED_AUTH_PASSWORD}`,
  );
  expect(first.calls).toEqual(
    expect.arrayContaining([
      "sysctl -q -w net.ipv4.ip_nonlocal_bind=1",
      "systemctl start haproxy.service",
      "systemctl enable --quiet haproxy.service",
      "systemctl start keepalived.service",
    ]),
  );
  expect(first.calls.some((c) => c.startsWith("apt-get"))).toBe(false);

  const tree = box.tree();
  const second = box.run(script, env);
  expect(second.status).toBe(0);
  expect(second.calls.filter((c) => !/ is-(active|enabled) /.test(c))).toEqual([]);
  expect(box.tree()).toEqual(tree);
});

test("a changed node list reloads haproxy gracefully", () => {
  expect(box.run(renderBalancerScript(input), env).status).toBe(0);
  const grown = {
    ...input,
    haproxy: {
      ...input.haproxy,
      nodes: [...input.haproxy.nodes, { name: "app3", address: "10.10.0.33", port: 80 }],
    },
  };
  const again = box.run(renderBalancerScript(grown), env);
  expect(again.status).toBe(0);
  expect(again.calls).toContain("systemctl reload haproxy.service");
  expect(again.calls).not.toContain("systemctl reload keepalived.service");
  expect(readFileSync(join(box.root, "etc/haproxy/haproxy.cfg"), "utf8")).toContain(
    "server app3 10.10.0.33:80",
  );
});

test("a config haproxy -c refuses never becomes live, and the next good run activates", () => {
  const good = renderBalancerScript({
    ...input,
    keepalived: undefined,
    haproxy: { ...input.haproxy, vip: undefined },
  });
  const broken = good.replace("    option redispatch 1\n", "    option redispatch-everything\n");
  expect(broken).not.toBe(good);
  const failed = box.run(broken, env);
  expect(failed.status).not.toBe(0);
  expect(failed.output).toMatch(/redispatch-everything/);
  expect(() => statSync(join(box.root, "etc/haproxy/haproxy.cfg"))).toThrow();
  expect(failed.calls.some((c) => / (start|reload) /.test(c))).toBe(false);
  const fixed = box.run(good, env);
  expect(fixed.status).toBe(0);
  expect(fixed.calls).toContain("systemctl start haproxy.service");
});

test("installs only the packages that are missing", () => {
  const result = box.run(renderBalancerScript(input), { ...env, STUB_MISSING: "keepalived" });
  expect(result.status).toBe(0);
  expect(result.calls).toContain("apt-get install -y -qq --no-install-recommends keepalived");
});

test("stops before touching anything when a secret is not exported", () => {
  const result = box.run(renderBalancerScript(input), { HAPROXY_STATS_PASSWORD: "x" });
  expect(result.status).not.toBe(0);
  expect(result.output).toContain("KEEPALIVED_AUTH_PASSWORD must be exported");
  expect(result.calls).toEqual([]);
});

test("haproxy and keepalived must agree on the VIP", () => {
  expect(() => renderBalancerScript({ ...input, haproxy: { ...input.haproxy, vip: "10.10.0.29" } })).toThrow(
    /moodle\.balancer\.vip/,
  );
});
