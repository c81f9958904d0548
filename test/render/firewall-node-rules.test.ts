import { nodeRules } from "../../components/firewall/node-rules";
import type { ServiceEdge } from "../../config/service-edge";

const guests = [
  { key: "monitoring", ip: "10.10.0.50" },
  { key: "moodle-lb1", ip: "10.10.0.21" },
];

const edges: ServiceEdge[] = [
  {
    from: { guest: "monitoring" },
    to: "host:pve1",
    protocol: "tcp",
    ports: [9100],
    purpose: "metrics (node)",
  },
  { from: { guest: "moodle-lb1" }, to: "moodle-lb2", protocol: "tcp", ports: [80], purpose: "not a node" },
  {
    from: { label: "proxmox-node-pve2", cidrs: ["10.10.0.3/32"] },
    to: "host:pve1",
    protocol: "tcp",
    ports: [2049],
    purpose: "moodledata over NFS for pve2",
  },
  {
    from: { guest: "gone" },
    to: "host:pve1",
    protocol: "tcp",
    ports: [8006],
    purpose: "a guest the site lacks",
  },
  { from: { guest: "moodle-lb1" }, to: "host:pve2", protocol: "tcp", ports: [8006], purpose: "other node" },
  {
    from: { label: "lab", cidrs: ["10.9.0.0/24", "10.8.0.7/32"] },
    to: "host:pve1",
    protocol: "icmp",
    purpose: "ping",
  },
];

describe("nodeRules", () => {
  it("turns the graph's edges to one node into its rules, in the graph's order, the purpose as comment", () => {
    expect(nodeRules(edges, guests, "pve1")).toEqual([
      {
        type: "in",
        action: "ACCEPT",
        source: "10.10.0.50",
        proto: "tcp",
        dport: "9100",
        comment: "metrics (node)",
      },
      {
        type: "in",
        action: "ACCEPT",
        source: "10.10.0.3",
        proto: "tcp",
        dport: "2049",
        comment: "moodledata over NFS for pve2",
      },
      { type: "in", action: "ACCEPT", source: "10.9.0.0/24,10.8.0.7", proto: "icmp", comment: "ping" },
    ]);
    expect(nodeRules(edges, guests, "pve2").map((r) => r.comment)).toEqual(["other node"]);
    expect(nodeRules(edges, guests, "pve3")).toEqual([]);
  });
});
