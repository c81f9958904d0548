/**
 * Every stack's registered firewall, read from a mock run and translated: one ruleset per guest and
 * node, each accepted by the kernel's nftables (`nft -c`, in a throwaway network namespace).
 */
import { resolve } from "node:path";
import { translateFirewall, type FirewallRulesets } from "../../components/firewall/nftables";
import type { FirewallView } from "../../components/firewall/firewall-view";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring } from "../../config/wiring";
import { checkRuleset, loadFirewallView } from "../../scripts/box/firewall";
import { kitchenSinkFirewall } from "./support/firewall-fixture";

const root = resolve(__dirname, "../..");

describe.each(["prod", "staging", "school"])("the %s firewall as nftables", (stack) => {
  let fw: FirewallView;
  let rulesets: FirewallRulesets;
  const { config } = validateSiteConfig(stack, readStackFile(root, stack).values);

  beforeAll(async () => {
    fw = await loadFirewallView(stack, root);
    rulesets = translateFirewall(fw);
  }, 120000);

  it("reads what the program registers: cluster on, every guest's NIC firewalled, the nodes' addresses", () => {
    expect(fw.cluster).toMatchObject({ enabled: true, inputPolicy: "DROP", outputPolicy: "ACCEPT" });
    expect(fw.guests.map((g) => g.key).sort()).toEqual(
      siteWiring(config)
        .guests.map((g) => g.key)
        .sort(),
    );
    for (const guest of fw.guests) {
      expect(guest.options).toMatchObject({ enabled: true, inputPolicy: "DROP" });
      expect(guest.nics.map((n) => n.firewall)).toEqual([true]);
      expect(guest.rules.length).toBeGreaterThan(0);
    }
    for (const node of config.proxmox.nodes)
      expect(fw.hosts).toContainEqual(
        expect.objectContaining({
          name: node.name,
          address: node.address,
          localNetwork: config.network.cidr,
        }),
      );
    expect(fw.ipsets.find((s) => s.name === "management")?.cidrs?.map((e) => e.name)).toEqual(
      config.network.adminCidrs,
    );
  });

  it("has one ruleset per guest and per node, each accepted by nft -c", () => {
    expect([...rulesets.guests.keys()].sort()).toEqual(fw.guests.map((g) => g.key).sort());
    expect([...rulesets.nodes.keys()].sort()).toEqual(fw.hosts.map((n) => n.name).sort());
    for (const text of [...rulesets.guests.values(), ...rulesets.nodes.values()]) {
      expect(text).toContain("table inet pve_firewall {");
      expect(() => checkRuleset(text)).not.toThrow();
    }
  });
});

describe("every translated feature", () => {
  it("is accepted by nft -c (macros, groups, IP sets with nomatch, aliases, ranges, ipfilter, REJECT)", () => {
    const rulesets = translateFirewall(kitchenSinkFirewall());
    const texts = [...rulesets.guests.values(), ...rulesets.nodes.values()];
    expect(texts.join("\n")).toContain("table arp pve_firewall {");
    for (const text of texts) expect(() => checkRuleset(text)).not.toThrow();
  });

  it("is refused by nft -c when broken, so the check above can fail", () => {
    const text = translateFirewall(kitchenSinkFirewall()).guests.get("db")!;
    expect(() => checkRuleset(text.replace("jump pve_drop", "jump no_such_chain"))).toThrow(
      /no_such_chain|No such/,
    );
  });
});
