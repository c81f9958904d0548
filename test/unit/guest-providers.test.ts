import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { needsRootLogin } from "../../components/proxmox/guest-factory";
import { runUnderMocks, type MockRun, type RecordedResource } from "../../scripts/lib/mock-run";

const root = resolve(__dirname, "../..");
const CONTAINER = "proxmoxve:index/containerLegacy:ContainerLegacy";
const PROVIDER = "pulumi:providers:proxmoxve";

/** The prod stack with a root@pam password set as a `secure:` value. */
function prodWithRootPassword(): string {
  const dir = mkdtempSync(join(tmpdir(), "guest-providers-"));
  const doc = parse(readFileSync(join(root, "Pulumi.prod.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  doc.config["proxmox-sites:proxmoxRootPassword"] = { secure: `v1:${randomBytes(12).toString("base64")}` };
  writeFileSync(join(dir, "Pulumi.prod.yaml"), stringify(doc));
  return dir;
}

describe("which Proxmox login registers each guest (prod)", () => {
  let run: MockRun;
  let dir: string;
  const containers = () => run.resources.filter((r) => r.type === CONTAINER);
  const provider = (name: string): RecordedResource => {
    const p = run.resources.find((r) => r.type === PROVIDER && r.name === name);
    if (!p) throw new Error(`no provider ${name}`);
    return p;
  };

  beforeAll(async () => {
    dir = prodWithRootPassword();
    run = await runUnderMocks("prod", dir);
  }, 60000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs ERPNext's Docker in an unprivileged container with nesting and keyctl, through root@pam", () => {
    const frappe = containers().find((c) => c.name === "frappe")!;
    expect(frappe.inputs.unprivileged).toBe(true);
    expect(frappe.inputs.features).toEqual({ nesting: true, keyctl: true });
    expect(frappe.provider).toBe(`${PROVIDER}::bowbo-proxmox-root`);
    const login = provider("bowbo-proxmox-root");
    expect(login.inputs.username).toBe("root@pam");
    expect(login.secretPaths).toContain("password");
    expect(login.inputs.apiToken).toBeUndefined();
  });

  it("registers every other guest through the API-token provider", () => {
    const others = containers().filter((c) => c.name !== "frappe");
    expect(others.length).toBeGreaterThan(5);
    for (const c of others)
      expect({ guest: c.name, provider: c.provider }).toEqual({
        guest: c.name,
        provider: `${PROVIDER}::bowbo-proxmox`,
      });
    expect(provider("bowbo-proxmox").inputs.username).toBeUndefined();
  });
});

describe("needsRootLogin: what an API token may not set", () => {
  it.each([
    [{}, false],
    [{ features: { nesting: true } }, false],
    [{ features: { nesting: true, keyctl: true } }, true],
    [{ features: { fuse: true } }, true],
    [{ features: { mounts: ["nfs"] } }, true],
    [{ unprivileged: false }, true],
  ])("%j → %s", (overrides, expected) => {
    expect(needsRootLogin(overrides)).toBe(expected);
  });
});
