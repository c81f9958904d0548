import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring } from "../../config/wiring";
import { runUnderMocks, type MockRun } from "../../scripts/lib/mock-run";
import { resolve } from "node:path";

const root = resolve(__dirname, "../..");
const expectedPublished = (stack: string) => {
  const { config } = validateSiteConfig(stack, readStackFile(root, stack).values);
  return siteWiring(config).published;
};
const inputsOf = (r: MockRun, type: string) =>
  r.resources.filter((x) => x.type === type).map((x) => x.inputs);

describe.each(["prod", "school"])("the %s tunnel", (stack) => {
  let run: MockRun;
  beforeAll(async () => {
    run = await runUnderMocks(stack);
  });

  it("has one ingress rule per published hostname, then the 404 catch-all", () => {
    const [config] = inputsOf(
      run,
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
    );
    const ingresses = (config.config as { ingresses: { hostname?: string; service: string }[] }).ingresses;
    const published = expectedPublished(stack);
    expect(
      ingresses
        .slice(0, -1)
        .map((i) => [i.hostname, i.service])
        .sort(),
    ).toEqual(published.map((p) => [p.hostname, p.origin]).sort());
    expect(ingresses[ingresses.length - 1]).toEqual({ service: "http_status:404" });
  });

  it("has one proxied CNAME to the tunnel per hostname", () => {
    const records = inputsOf(run, "cloudflare:index/dnsRecord:DnsRecord");
    expect(records.map((r) => r.name).sort()).toEqual(
      expectedPublished(stack)
        .map((p) => p.hostname)
        .sort(),
    );
    for (const r of records)
      expect(r).toMatchObject({
        type: "CNAME",
        proxied: true,
        ttl: 1,
        content: expect.stringMatching(/\.cfargotunnel\.com$/),
      });
  });

  it("puts Cloudflare Access in front of exactly the admin tools", () => {
    const apps = inputsOf(run, "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication");
    const admin = expectedPublished(stack)
      .filter((p) => p.admin)
      .map((p) => p.hostname)
      .sort();
    expect(apps.map((a) => (a.destinations as { uri: string }[])[0].uri).sort()).toEqual(admin);
    expect(admin).toContain(stack === "prod" ? "pve.bowbo.example" : "pve.school.example");
  });

  it("keeps the tunnel secret secret and protects the tunnel", () => {
    const tunnel = run.resources.find(
      (r) => r.type === "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
    )!;
    expect(tunnel.secretPaths).toContain("tunnelSecret");
    expect(tunnel.inputs).toMatchObject({ configSrc: "cloudflare", tunnelSecret: "[secret]" });
    expect(tunnel.protect).toBe(true);
  });
});
