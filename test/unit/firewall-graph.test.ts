/**
 * The firewall takes the service graph's edges as they are (issue 15, point 5): it names no tier, and
 * what a tier's spec declares is what its guests open. Dropping the VRRP edges a tier's spec declares
 * (its `wire`, run with an `edge` that leaves them out) removes exactly the VRRP rules, so the firewall
 * has no other source for them; the same for the admin networks' SSH edge, which the graph declares once.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { computeGuestFirewalls, type GuestFirewall } from "../../components/firewall/rules";
import { firewallModelFor } from "../../components/firewall/site-model";
import type { SiteConfig } from "../../config/schema";
import type { ServiceEdge } from "../../config/service-edge";
import { readStackFile } from "../../config/stack-file";
import type { TierSpec } from "../../config/tier-spec";
import { TIERS } from "../../config/tiers";
import { validateSiteConfig } from "../../config/validate";
import { ADMIN_SSH_PURPOSE, siteWiring } from "../../config/wiring";
import { loadProfile, scaffoldStack } from "../../scripts/lib/scaffold";

const root = resolve(__dirname, "../..");
const FIREWALL_DIR = join(root, "components/firewall");

/** The identifiers and string/template texts of a source text: its code, without comments. */
function codeTokens(text: string): string[] {
  const source = ts.createSourceFile("scanned.ts", text, ts.ScriptTarget.Latest, true);
  const tokens: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) tokens.push(node.text);
    else if (ts.isStringLiteral(node) || ts.isTemplateLiteralToken(node)) tokens.push(node.text);
    node.forEachChild(visit);
  };
  visit(source);
  return tokens;
}
const fileTokens = (file: string) => codeTokens(readFileSync(join(FIREWALL_DIR, file), "utf8"));

/** Every tier's id and stack key (`moodle`, `web-cluster`, `webClusters`, …). */
const TIER_NAMES = [...new Set(TIERS.flatMap((t) => [t.id, String(t.stackKey)]))];
const namesTier = (token: string, name: string) =>
  new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[-]/g, "\\-")}($|[^A-Za-z0-9_])`).test(token);

describe("the firewall module", () => {
  const files = readdirSync(FIREWALL_DIR).filter((f) => f.endsWith(".ts"));

  it("is read whole: every file has code to scan", () => {
    expect(files).toEqual(expect.arrayContaining(["index.ts", "model.ts", "site-model.ts", "node-rules.ts"]));
    for (const f of files) expect(fileTokens(f).length).toBeGreaterThan(0);
  });

  it.each(files)("%s names no tier id or stack key in its code (identifiers, strings, imports)", (file) => {
    const tokens = fileTokens(file);
    const named = tokens.flatMap((token) =>
      TIER_NAMES.filter((name) => namesTier(token, name)).map(
        (name) => `${name} in ${JSON.stringify(token)}`,
      ),
    );
    expect(named).toEqual([]);
  });

  it("the scan finds a tier named the way the old site model named it", () => {
    const old = "const groups = [Object.keys(site.moodle?.loadBalancers ?? {}).map((k) => `moodle-${k}`)];";
    const named = codeTokens(old).filter((t) => TIER_NAMES.some((name) => namesTier(t, name)));
    expect(named).toEqual(["moodle", "moodle-"]);
  });
});

function schoolSite(): SiteConfig {
  return validateSiteConfig("school", readStackFile(root, "school").values).config;
}

function portalSite(): SiteConfig {
  const s = scaffoldStack({
    name: "portal",
    profile: loadProfile(root, "web-cluster"),
    subnet: "10.30.0.0/24",
  });
  return validateSiteConfig("portal", s.values).config;
}

/** The tier list with `id`'s spec wiring everything but the edges `drop` picks. */
function withoutEdges(id: string, drop: (e: ServiceEdge) => boolean): TierSpec[] {
  return TIERS.map((tier): TierSpec => {
    const wire = tier.wire;
    if (tier.id !== id || !wire) return tier;
    return {
      ...tier,
      wire: (t) => wire.call(tier, { ...t, edge: (e) => (drop(e) ? undefined : t.edge(e)) }),
    };
  });
}

const firewallsOf = (site: SiteConfig, tiers: readonly TierSpec[] = TIERS) =>
  computeGuestFirewalls(firewallModelFor(site, siteWiring(site, tiers)));
const vrrpRules = (fws: GuestFirewall[]) =>
  fws.flatMap((fw) => fw.rules.filter((r) => r.proto === "vrrp").map((r) => `${r.source} → ${fw.key}`));
const withoutVrrp = (fws: GuestFirewall[]) =>
  fws.map((fw) => ({ ...fw, rules: fw.rules.filter((r) => r.proto !== "vrrp") }));

describe.each([
  { tier: "moodle", site: schoolSite, balancers: ["moodle-lb1", "moodle-lb2"] },
  { tier: "web-cluster", site: portalSite, balancers: ["portal-lb1", "portal-lb2"] },
])("the $tier spec's VRRP edges", ({ tier, site, balancers }) => {
  it("are the only source of its balancers' VRRP rules: without them, the rules go and nothing else changes", () => {
    const config = site();
    const declared = firewallsOf(config);
    const dropped = firewallsOf(
      config,
      withoutEdges(tier, (e) => e.protocol === "vrrp"),
    );
    const ipOf = (key: string) => siteWiring(config).guests.find((g) => g.key === key)!.ip;
    expect(vrrpRules(declared).sort()).toEqual(
      [`${ipOf(balancers[1])} → ${balancers[0]}`, `${ipOf(balancers[0])} → ${balancers[1]}`].sort(),
    );
    expect(vrrpRules(dropped)).toEqual([]);
    expect(dropped).toEqual(withoutVrrp(declared));
  });
});

describe("the admin networks' SSH", () => {
  it("is one edge of the graph to every guest, and each guest's SSH rule comes from it", () => {
    const config = schoolSite();
    const wiring = siteWiring(config);
    const ssh = wiring.edges.filter((e) => e.purpose === ADMIN_SSH_PURPOSE);
    expect(ssh).toEqual([
      {
        from: { label: "admin", cidrs: config.network.adminCidrs },
        to: "*",
        protocol: "tcp",
        ports: [22],
        purpose: ADMIN_SSH_PURPOSE,
      },
    ]);
    const model = firewallModelFor(config, wiring);
    const withSsh = computeGuestFirewalls(model);
    const without = computeGuestFirewalls({ ...model, edges: model.edges.filter((e) => !ssh.includes(e)) });
    for (const fw of withSsh)
      expect(fw.rules.filter((r) => r.dport === "22").map((r) => r.comment)).toEqual([ADMIN_SSH_PURPOSE]);
    expect(without.flatMap((fw) => fw.rules).filter((r) => r.dport === "22")).toEqual([]);
  });
});
