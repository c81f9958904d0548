import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";

const root = resolve(__dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");
const plan = (...args: string[]) =>
  spawnSync(tsx, [join(root, "scripts/plan.ts"), ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60000,
  });

describe("npm run plan, as a command", () => {
  it("prints the whole JSON plan through a pipe, with the documented fields", () => {
    const result = plan("--stack", "prod", "--json");
    expect(result.status).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(65536);
    const doc = JSON.parse(result.stdout);
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining(["stack", "resources", "ipPlan", "allocation", "capacity"]),
    );
    expect(doc.resources[0]).toEqual(
      expect.objectContaining({
        urn: expect.any(String),
        type: expect.any(String),
        name: expect.any(String),
        inputs: expect.any(Object),
      }),
    );
  });

  it("exits 1 on a stack with three mistakes, names all three and registers nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "proxmox-sites-bad-stack-"));
    try {
      const doc = parse(readFileSync(join(root, "Pulumi.school.yaml"), "utf8"));
      doc.config["proxmox-sites:redis"].vmid = 100;
      doc.config["proxmox-sites:network"].gateway = "172.16.0.1";
      doc.config["proxmox-sites:moodle"].publicHostname = "lms.elsewhere.example";
      writeFileSync(join(dir, "Pulumi.bad.yaml"), stringify(doc));
      const result = plan("--stack", "bad", "--dir", dir);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("redis.vmid: 100 is already used by database.primary");
      expect(result.stderr).toContain("network.gateway: 172.16.0.1 is outside network.cidr 10.10.0.0/24");
      expect(result.stderr).toContain(
        "moodle.publicHostname: lms.elsewhere.example is outside the site's domain",
      );
      expect(result.stdout).not.toContain("Resources by component");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
