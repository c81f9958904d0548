import { resolve } from "node:path";
import { readStackFile, type StackFile } from "../../config/stack-file";
import { collectPlan } from "../../box/lib/collect";

const root = resolve(__dirname, "../..");

/** The school stack with its vendor downloads pointed at mirrors, as a user (or the box) sets them. */
function withMirrors(file: StackFile): StackFile {
  const values = structuredClone(file.values) as Record<string, Record<string, unknown>>;
  values.moodle.gitUrl = "https://mirror.school.lan/git/moodle.git";
  (values.tunnel.cloudflared as Record<string, unknown>).baseUrl = "https://mirror.school.lan/cloudflared";
  return { ...file, values };
}

describe("vendor mirrors of the school stack", () => {
  it("clone Moodle and download cloudflared from the mirrors given, and from upstream by default", async () => {
    const file = readStackFile(root, "school");
    const mirrored = await collectPlan(withMirrors(file), root, "seed");
    const upstream = await collectPlan(file, root, "seed");
    const stdin = (plan: typeof upstream, name: string) => plan.commands.find((c) => c.name === name)!.stdin;
    expect(stdin(mirrored, "moodle-app1-app")).toContain("'https://mirror.school.lan/git/moodle.git'");
    expect(stdin(mirrored, "moodle-app1-app")).not.toContain("github.com");
    expect(stdin(mirrored, "moodle-lb1-cloudflared")).toContain(
      "https://mirror.school.lan/cloudflared/2026.9.3/cloudflared-linux-amd64.deb",
    );
    expect(stdin(upstream, "moodle-app1-app")).toContain("'https://github.com/moodle/moodle.git'");
    expect(stdin(upstream, "moodle-lb1-cloudflared")).toContain(
      "https://github.com/cloudflare/cloudflared/releases/download/2026.9.3/",
    );
  }, 60_000);
});

/** The prod stack with Grafana's APT repository and AdGuard Home's releases taken from mirrors. */
function prodWithMirrors(file: StackFile): StackFile {
  const values = structuredClone(file.values) as Record<string, Record<string, unknown>>;
  values.monitoring.grafanaApt = {
    url: "https://mirror.bowbo.lan/grafana",
    keyFingerprint: "0123456789ABCDEF0123456789ABCDEF01234567",
  };
  (values.networkServices.adguard as Record<string, unknown>).baseUrl = "https://mirror.bowbo.lan/adguard";
  return { ...file, values };
}

describe("vendor mirrors of the prod stack", () => {
  it("install Grafana and AdGuard Home from the mirrors given, and from upstream by default", async () => {
    const file = readStackFile(root, "prod");
    const mirrored = await collectPlan(prodWithMirrors(file), root, "seed");
    const upstream = await collectPlan(file, root, "seed");
    const stdin = (plan: typeof upstream, name: string) => plan.commands.find((c) => c.name === name)!.stdin;
    const monitoring = stdin(mirrored, "monitoring-install");
    expect(monitoring).toContain("https://mirror.bowbo.lan/grafana stable main");
    expect(monitoring).toContain("curl -fsSL --retry 3 https://mirror.bowbo.lan/grafana/gpg.key");
    expect(monitoring).toContain("0123456789ABCDEF0123456789ABCDEF01234567");
    expect(monitoring).not.toContain("apt.grafana.com");
    const adguard = stdin(mirrored, "network-services-adguard");
    expect(adguard).toContain("https://mirror.bowbo.lan/adguard/v0.107.79/AdGuardHome_linux_amd64.tar.gz");
    expect(adguard).toContain("https://mirror.bowbo.lan/adguard/v0.107.79/checksums.txt");
    expect(adguard).not.toContain("github.com");
    expect(stdin(upstream, "monitoring-install")).toContain("https://apt.grafana.com stable main\n");
    expect(stdin(upstream, "monitoring-install")).toContain("B53AE77BADB630A683046005963FA27710458545");
    expect(stdin(upstream, "network-services-adguard")).toContain(
      "https://github.com/AdguardTeam/AdGuardHome/releases/download/v0.107.79/",
    );
  }, 60_000);

  it("take the key from its own URL when the mirror names one", async () => {
    const file = prodWithMirrors(readStackFile(root, "prod"));
    (file.values.monitoring as Record<string, Record<string, unknown>>).grafanaApt.keyUrl =
      "https://keys.bowbo.lan/grafana.asc";
    const plan = await collectPlan(file, root, "seed");
    const monitoring = plan.commands.find((c) => c.name === "monitoring-install")!.stdin;
    expect(monitoring).toContain("curl -fsSL --retry 3 https://keys.bowbo.lan/grafana.asc");
    expect(monitoring).not.toContain("mirror.bowbo.lan/grafana/gpg.key");
  }, 60_000);
});
