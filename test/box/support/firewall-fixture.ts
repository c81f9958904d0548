import type { FirewallView, GuestView } from "../../../components/firewall/firewall-view";

/** A small registered firewall: one node, one container with one firewalled NIC, no rules yet. */
export function smallFirewall(): FirewallView {
  return {
    stack: "fixture",
    cluster: { enabled: true, inputPolicy: "DROP", outputPolicy: "ACCEPT" },
    clusterRules: [],
    ipsets: [{ name: "management", cidrs: [{ name: "10.0.0.200/29" }] }],
    aliases: [],
    securityGroups: [],
    guests: [
      {
        key: "db",
        name: "db",
        kind: "ct",
        vmid: 100,
        node: "pve",
        nics: [{ iface: "net0", device: "eth0", firewall: true, addresses: ["10.0.0.10"] }],
        options: { enabled: true },
        rules: [],
        ipsets: [],
        aliases: [],
      },
    ],
    hosts: [{ name: "pve", address: "10.0.0.2", localNetwork: "10.0.0.0/24", rules: [] }],
  };
}

/** Every feature the translator implements at once, for the kernel's syntax check. */
export function kitchenSinkFirewall(): FirewallView {
  const fw = smallFirewall();
  fw.cluster!.ebtables = true;
  fw.ipsets.push(
    { name: "blacklist", cidrs: [{ name: "203.0.113.0/24" }, { name: "2001:db8:bad::/48" }] },
    {
      name: "office",
      cidrs: [{ name: "10.0.1.0/24" }, { name: "10.0.1.9", nomatch: true }, { name: "lab" }],
    },
  );
  fw.aliases.push({ name: "lab", cidr: "10.0.2.0/24" }, { name: "v6net", cidr: "2001:db8:1::/64" });
  fw.securityGroups.push({
    name: "web-front",
    rules: [
      { type: "in", action: "ACCEPT", macro: "Web", source: "+office" },
      { type: "in", action: "REJECT", proto: "tcp", dport: "8080" },
      { type: "out", action: "DROP", dest: "198.51.100.0/24" },
      { type: "forward", action: "ACCEPT" },
    ],
  });
  fw.clusterRules.push({ type: "in", action: "ACCEPT", macro: "Ping" });
  fw.hosts[0].rules.push(
    { type: "in", action: "ACCEPT", source: "10.0.0.50", proto: "tcp", dport: "9100", iface: "vmbr0" },
    { type: "out", action: "REJECT", dest: "v6net", proto: "udp", dport: "53" },
    { securityGroup: "web-front" },
  );
  const guest: GuestView = fw.guests[0];
  guest.options = {
    enabled: true,
    inputPolicy: "REJECT",
    outputPolicy: "DROP",
    dhcp: true,
    ndp: true,
    radv: false,
    ipfilter: true,
  };
  guest.nics.push({
    iface: "net1",
    device: "eth1",
    firewall: true,
    addresses: ["10.9.0.10", "2001:db8:9::10"],
  });
  guest.ipsets.push(
    { name: "office", cidrs: [{ name: "10.0.3.0/24" }] },
    { name: "ipfilter-net1", cidrs: [{ name: "10.9.0.11" }] },
  );
  guest.aliases.push({ name: "monitor", cidr: "10.0.0.50" });
  guest.rules.push(
    { type: "in", action: "ACCEPT", macro: "SSH", source: "+dc/management" },
    { type: "in", action: "ACCEPT", source: "+office", proto: "tcp", dport: "3306,4567:4568" },
    { type: "in", action: "ACCEPT", source: "monitor", proto: "tcp", dport: "9100,9104" },
    {
      type: "in",
      action: "ACCEPT",
      source: "10.0.0.20-10.0.0.29",
      proto: "udp",
      sport: "1024:65535",
      dport: "53",
    },
    { type: "in", action: "DROP", proto: "icmp", dport: "echo-request", iface: "net1" },
    { type: "in", action: "ACCEPT", macro: "DNS", iface: "net1" },
    { type: "in", action: "ACCEPT", proto: "vrrp", source: "10.0.0.11" },
    { type: "in", action: "ACCEPT", proto: "icmpv6", dport: "echo-request" },
    { type: "in", action: "ACCEPT", proto: "icmp", dport: "any", source: "10.0.0.0/24" },
    { type: "out", action: "ACCEPT", macro: "HTTPS" },
    { type: "out", action: "ACCEPT", dest: "2001:db8::/32", proto: "sctp", dport: "9899" },
    { type: "in", action: "ACCEPT", proto: "tcp", dport: "25", enabled: false },
    { securityGroup: "web-front", iface: "net0" },
  );
  return fw;
}
