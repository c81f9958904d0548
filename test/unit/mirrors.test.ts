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
