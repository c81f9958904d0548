import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { renderKeepalivedConfig, vrrpPriority } from "../../components/web-cluster/keepalived";
import { findProgram, run, scratchDir } from "../live/support/daemon";
import { keepalivedPair } from "./fixtures/balancer-pair";

/** `keepalived -t` on a rendered config with the placeholder filled by an 8-character password. */
function keepalivedCheck(config: string) {
  const dir = scratchDir("moodle-keepalived-check");
  try {
    const path = join(dir.path, "keepalived.conf");
    writeFileSync(path, config.replace("@@KEEPALIVED_AUTH_PASSWORD@@", randomBytes(4).toString("hex")));
    return run(findProgram("keepalived"), ["-t", "-f", path]);
  } finally {
    dir.remove();
  }
}

describe("renderKeepalivedConfig", () => {
  test("each balancer sends unicast to the others and tracks haproxy", () => {
    const lb1 = renderKeepalivedConfig(keepalivedPair);
    const lb2 = renderKeepalivedConfig({ ...keepalivedPair, self: "lb2" });
    expect(lb1).toMatch(/unicast_src_ip 10\.10\.0\.21\n\s+unicast_peer {\n\s+10\.10\.0\.22\n\s+}/);
    expect(lb2).toMatch(/unicast_src_ip 10\.10\.0\.22\n\s+unicast_peer {\n\s+10\.10\.0\.21\n\s+}/);
    for (const config of [lb1, lb2]) {
      expect(config).toContain('script "/usr/bin/systemctl is-active --quiet haproxy.service"');
      expect(config).toContain("track_script {\n        chk_haproxy");
      expect(config).toContain("10.10.0.20/24 dev eth0");
      expect(config).toContain("auth_pass @@KEEPALIVED_AUTH_PASSWORD@@");
    }
    expect(lb1).toContain("priority 150");
    expect(lb2).toContain("priority 100");
  });

  test("keepalived -t accepts the config of every balancer", () => {
    const trio = {
      ...keepalivedPair,
      balancers: [...keepalivedPair.balancers, { name: "lb3", address: "10.10.0.23" }],
    };
    for (const self of ["lb1", "lb2", "lb3"]) {
      const result = keepalivedCheck(renderKeepalivedConfig({ ...trio, self }));
      expect(result.output).not.toMatch(/unknown|error/i);
      expect(result.status).toBe(0);
    }
  });

  test("keepalived -t is a real check: it refuses a broken file", () => {
    const broken = renderKeepalivedConfig(keepalivedPair).replace("auth_type PASS", "auth_type NOPE");
    expect(keepalivedCheck(broken).status).not.toBe(0);
  });

  test("priorities are distinct and the primary's is highest, for any set of balancers", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), { minLength: 2, maxLength: 8 }),
        (names) => {
          const balancers = names.map((name, i) => ({ name, address: `10.0.1.${i + 1}` }));
          const primary = names[names.length - 1];
          const priorities = names.map((n) => vrrpPriority({ balancers, primary }, n));
          expect(new Set(priorities).size).toBe(names.length);
          expect(Math.max(...priorities)).toBe(vrrpPriority({ balancers, primary }, primary));
          for (const p of priorities) expect(p).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });

  test("a bad pair is refused with every problem named", () => {
    expect(() =>
      renderKeepalivedConfig({ ...keepalivedPair, self: "lb9", vip: "10.10.0.21", virtualRouterId: 300 }),
    ).toThrow(/self: "lb9"[\s\S]*vip: "10\.10\.0\.21"[\s\S]*virtualRouterId: 300/);
    expect(() =>
      renderKeepalivedConfig({ ...keepalivedPair, balancers: [keepalivedPair.balancers[0]] }),
    ).toThrow(/at least two/);
  });
});
