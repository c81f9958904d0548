import {
  FirewallTranslationError,
  translateFirewall,
  type FirewallRulesets,
} from "../../components/firewall/nftables";
import type { FirewallView, RuleInputs } from "../../components/firewall/firewall-view";
import { kitchenSinkFirewall, smallFirewall } from "../box/support/firewall-fixture";

/** The body lines of one chain of a ruleset. */
function chainLines(text: string, name: string): string[] {
  const start = text.indexOf(`  chain ${name} {\n`);
  if (start < 0) return [];
  const end = text.indexOf("\n  }", start);
  return text
    .slice(start, end)
    .split("\n")
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => !l.startsWith("#") && !l.startsWith("type filter hook"));
}

function withGuest(change: (fw: FirewallView) => void): FirewallRulesets {
  const fw = smallFirewall();
  change(fw);
  return translateFirewall(fw);
}

const db = (r: FirewallRulesets) => r.guests.get("db")!;
const rules =
  (...list: RuleInputs[]) =>
  (fw: FirewallView) =>
    fw.guests[0].rules.push(...list);

function problemsOf(change: (fw: FirewallView) => void): readonly string[] {
  try {
    withGuest(change);
  } catch (error) {
    if (error instanceof FirewallTranslationError) return error.problems;
    throw error;
  }
  return [];
}

describe("the nftables translation of a registered Proxmox firewall", () => {
  it("filters nothing when the cluster firewall is off or never registered", () => {
    for (const change of [
      (fw: FirewallView) => (fw.cluster!.enabled = false),
      (fw: FirewallView) => delete fw.cluster,
    ]) {
      const r = withGuest(change);
      for (const text of [db(r), r.nodes.get("pve")!]) {
        expect(text).toContain("delete table inet pve_firewall");
        expect(text).not.toContain("table inet pve_firewall {");
      }
    }
  });

  it("filters a guest only when its options enable it and only on NICs whose firewall flag is on", () => {
    expect(chainLines(db(withGuest(() => undefined)), "input")).toEqual(['iifname "eth0" jump net0_in']);
    for (const change of [
      (fw: FirewallView) => delete fw.guests[0].options,
      (fw: FirewallView) => (fw.guests[0].options!.enabled = false),
      (fw: FirewallView) => (fw.guests[0].nics[0].firewall = false),
    ]) {
      const text = db(withGuest(change));
      expect(chainLines(text, "net0_in")).toEqual([]);
      expect(chainLines(text, "input")).toEqual(['iifname "eth0" ct state invalid drop']);
    }
  });

  it("ends with the policies: inbound DROP by default, outbound ACCEPT; REJECT answers", () => {
    const text = db(withGuest(() => undefined));
    expect(chainLines(text, "net0_in").slice(0, 2)).toEqual([
      "ct state invalid drop",
      "ct state established,related accept",
    ]);
    expect(chainLines(text, "net0_in").slice(-2)).toEqual(["jump pve_drop", "drop"]);
    expect(chainLines(text, "net0_out").slice(-1)).toEqual(["accept"]);
    const flipped = db(
      withGuest((fw) =>
        Object.assign(fw.guests[0].options!, { inputPolicy: "ACCEPT", outputPolicy: "REJECT" }),
      ),
    );
    expect(chainLines(flipped, "net0_in").slice(-1)).toEqual(["accept"]);
    expect(chainLines(flipped, "net0_out").slice(-2)).toEqual(["jump pve_reject_policy", "jump pve_reject"]);
  });

  it("keeps the registered order, puts in and out rules in their direction, and skips disabled rules", () => {
    const text = db(
      withGuest(
        rules(
          { type: "in", action: "ACCEPT", source: "10.0.0.31", proto: "tcp", dport: "3306" },
          { type: "out", action: "DROP", dest: "10.0.0.99" },
          { type: "in", action: "DROP", source: "10.0.0.0/24", proto: "tcp", dport: "3306" },
          { type: "in", action: "ACCEPT", proto: "tcp", dport: "25", enabled: false },
        ),
      ),
    );
    const inbound = chainLines(text, "net0_in");
    expect(inbound.filter((l) => l.includes("3306"))).toEqual([
      "meta nfproto ipv4 ip saddr 10.0.0.31 tcp dport 3306 accept",
      "meta nfproto ipv4 ip saddr 10.0.0.0/24 tcp dport 3306 drop",
    ]);
    expect(inbound.join("\n")).not.toContain("dport 25");
    expect(chainLines(text, "net0_out")).toContain("meta nfproto ipv4 ip daddr 10.0.0.99 drop");
  });

  it("expands macros per IP version, with the rule's own addresses", () => {
    const text = db(
      withGuest(
        rules(
          { type: "in", action: "ACCEPT", macro: "ssh", source: "10.0.0.200/29" },
          { type: "in", action: "ACCEPT", macro: "Ping" },
          { type: "in", action: "REJECT", macro: "DNS" },
          { type: "in", action: "ACCEPT", macro: "RDP", source: "10.0.0.40" },
        ),
      ),
    );
    expect(chainLines(text, "net0_in")).toEqual(
      expect.arrayContaining([
        "meta nfproto ipv4 ip saddr 10.0.0.200/29 tcp dport 22 accept",
        "meta nfproto ipv4 ip saddr 10.0.0.40 tcp dport 3389 accept",
        "meta nfproto ipv4 icmp type 8 accept",
        "meta nfproto ipv6 icmpv6 type 128 accept",
        "udp dport 53 jump pve_reject",
        "tcp dport 53 jump pve_reject",
      ]),
    );
  });

  it("renders port lists and ranges, and IP sets with guest sets before cluster sets", () => {
    const text = db(
      withGuest((fw) => {
        fw.ipsets.push({
          name: "office",
          cidrs: [{ name: "10.0.1.0/24" }, { name: "10.0.1.9", nomatch: true }],
        });
        fw.guests[0].ipsets.push({ name: "office", cidrs: [{ name: "10.0.3.0/24" }] });
        rules(
          { type: "in", action: "ACCEPT", source: "+office", proto: "tcp", dport: "80,8000:8010" },
          { type: "in", action: "ACCEPT", source: "+dc/office", proto: "udp", sport: "53" },
        )(fw);
      }),
    );
    expect(chainLines(text, "net0_in")).toEqual(
      expect.arrayContaining([
        "meta nfproto ipv4 ip saddr @guest_office_v4 tcp dport { 80, 8000-8010 } accept",
        "meta nfproto ipv4 ip saddr @dc_office_v4 ip saddr != @dc_office_v4_nomatch udp sport 53 accept",
      ]),
    );
    expect(text).toContain(
      "set guest_office_v4 { type ipv4_addr; flags interval; auto-merge; elements = { 10.0.3.0/24 }; }",
    );
    expect(text).toContain(
      "set dc_office_v4_nomatch { type ipv4_addr; flags interval; auto-merge; elements = { 10.0.1.9 }; }",
    );
  });

  it("runs a security group as its own chain, where it is inserted, on the NIC it names", () => {
    const r = translateFirewall(kitchenSinkFirewall());
    const text = db(r);
    expect(chainLines(text, "net0_in")).toContain("jump group_web-front_in");
    expect(chainLines(text, "net1_in")).not.toContain("jump group_web-front_in");
    expect(chainLines(text, "net1_in")).toContain("meta nfproto ipv4 icmp type 8 drop");
    expect(chainLines(text, "net0_in")).not.toContain("meta nfproto ipv4 icmp type 8 drop");
    expect(chainLines(text, "group_web-front_in")).toEqual([
      // Each IP version keeps the rule order; IPv4's lines come first.
      "meta nfproto ipv4 ip saddr @dc_office_v4 ip saddr != @dc_office_v4_nomatch tcp dport 80 accept",
      "meta nfproto ipv4 ip saddr @dc_office_v4 ip saddr != @dc_office_v4_nomatch tcp dport 443 accept",
      "meta nfproto ipv6 ip6 saddr @dc_office_v6 ip6 saddr != @dc_office_v6_nomatch tcp dport 80 accept",
      "meta nfproto ipv6 ip6 saddr @dc_office_v6 ip6 saddr != @dc_office_v6_nomatch tcp dport 443 accept",
      "tcp dport 8080 jump pve_reject",
    ]);
  });

  it("gives the node its rules, then the cluster's, then the management set with the local network", () => {
    const text = translateFirewall(kitchenSinkFirewall()).nodes.get("pve")!;
    const inbound = chainLines(text, "host_in");
    const at = (needle: string) => inbound.findIndex((l) => l.includes(needle));
    expect(at('iifname "vmbr0"')).toBeLessThan(at("icmp type 8"));
    expect(at("icmp type 8")).toBeLessThan(at("@dc_management_v4"));
    expect(inbound.slice(-2)).toEqual(["jump pve_drop", "drop"]);
    expect(text).toContain("elements = { 10.0.0.200/29, 10.0.0.0/24 }");
    expect(chainLines(text, "host_out")).toContain(
      "ip daddr 10.0.0.0/24 tcp dport { 22, 3128, 5900-5999, 8006 } accept",
    );
    expect(chainLines(text, "input")).toEqual(['iifname "lo" accept', "jump host_in"]);
  });

  it("refuses what Proxmox would refuse, naming the rule, every problem at once", () => {
    const problems = problemsOf(
      rules(
        { type: "in", action: "ACCEPT", macro: "Teamspeak" },
        { type: "in", action: "ACCEPT", macro: "SSH", dport: "2222" },
        { type: "in", action: "ACCEPT", source: "+nothere" },
        { type: "in", action: "ACCEPT", proto: "tcp", dport: "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16" },
        { type: "in", action: "ACCEPT", proto: "tcp", dport: "https" },
        { type: "in", action: "ALLOW" },
        { type: "in", action: "ACCEPT", source: "10.0.0.5/24" },
        { type: "in", action: "ACCEPT", source: "10.0.0.1,2001:db8::1" },
        { type: "in", action: "ACCEPT", dport: "22" },
        { securityGroup: "missing" },
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^guest db \(vmid 100\) rules\[0\]: macro Teamspeak is not one the translator implements/,
      ),
      expect.stringMatching(/rules\[1\]: dport 2222 conflicts with macro value 22/),
      expect.stringMatching(/rules\[2\] source: no such IP set \+nothere/),
      expect.stringMatching(/rules\[3\]: dport .* has more than 15 ports/),
      expect.stringMatching(/rules\[4\]: dport https is not a port/),
      expect.stringMatching(/rules\[5\]: action ALLOW is not ACCEPT, DROP or REJECT/),
      expect.stringMatching(/rules\[6\] source: 10.0.0.5\/24 is not a list of addresses/),
      expect.stringMatching(/rules\[7\] source: .* mixes IPv4 and IPv6/),
      expect.stringMatching(/rules\[8\]: dport\/sport need proto/),
      expect.stringMatching(/guest db \(vmid 100\): no security group missing/),
    ]);
  });
});
