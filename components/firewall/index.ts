import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../config/ports";
import type { SiteConfig } from "../../config/schema";
import { filesNodes } from "../../config/shared-files";
import type { SiteWiring } from "../../config/wiring";
import { computeGuestFirewalls, managementIpSet } from "./rules";
import { firewallModelFor } from "./site-model";

export interface SiteFirewallArgs {
  site: SiteConfig;
  wiring: SiteWiring;
  provider: proxmoxve.Provider;
  /** Each guest by key: its firewall waits for it and for nothing else. */
  guests: Record<string, pulumi.Resource>;
}

/**
 * Default-deny inbound on the cluster, the nodes and every guest, with only the allow rules the
 * service graph needs. The `management` IP set (admin networks) keeps the UI and SSH reachable
 * from the admins when the cluster firewall goes on, so it is created first.
 */
export class SiteFirewall extends pulumi.ComponentResource {
  constructor(name: string, args: SiteFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:security:SiteFirewall", name, {}, opts);
    const { site, wiring } = args;
    const child = { parent: this, provider: args.provider };
    const ipset = managementIpSet(site.network.adminCidrs);
    const management = new proxmoxve.firewall.IpsetLegacy(
      `${name}-management`,
      { name: ipset.name, comment: ipset.comment, cidrs: ipset.cidrs },
      child,
    );
    const cluster = new proxmoxve.cluster.FirewallLegacy(
      `${name}-cluster`,
      { enabled: true, inputPolicy: "DROP", outputPolicy: "ACCEPT", ebtables: true },
      { ...child, dependsOn: [management] },
    );

    // The nodes: their exporters for monitoring, the UI for the tunnel connector, a files node's NFS
    // for the other nodes (each mounts the cluster's storage; the node itself reaches it over loopback).
    const files = filesNodes(site);
    const monitoring = wiring.guests.find((g) => g.key === "monitoring");
    const connectors = wiring.guests.filter((g) => site.tunnel?.connectorGuests.includes(g.key));
    for (const node of site.proxmox.nodes) {
      const rules = [
        ...(monitoring
          ? [PORTS.nodeExporter, PORTS.proxmoxUi].map((port) => ({
              type: "in",
              action: "ACCEPT",
              source: monitoring.ip,
              proto: "tcp",
              dport: String(port),
              comment: `metrics (${port === PORTS.nodeExporter ? "node" : "proxmox"}) from monitoring`,
            }))
          : []),
        ...(site.tunnel?.proxmoxHostname
          ? connectors.map((c) => ({
              type: "in",
              action: "ACCEPT",
              source: c.ip,
              proto: "tcp",
              dport: String(PORTS.proxmoxUi),
              comment: "Proxmox UI through the tunnel",
            }))
          : []),
        ...files
          .filter((f) => f.node === node.name)
          .flatMap((f) =>
            site.proxmox.nodes
              .filter((other) => other.name !== node.name)
              .map((other) => ({
                type: "in",
                action: "ACCEPT",
                source: other.address,
                proto: "tcp",
                dport: String(PORTS.nfs),
                comment: `${f.label} over NFS for ${other.name}`,
              })),
          ),
      ];
      if (rules.length > 0)
        new proxmoxve.firewall.RulesLegacy(
          `${name}-node-${node.name}`,
          { nodeName: node.name, rules },
          { ...child, dependsOn: [cluster] },
        );
    }

    for (const fw of computeGuestFirewalls(firewallModelFor(site))) {
      const plan = wiring.guests.find((g) => g.key === fw.key)!;
      const target = plan.kind === "vm" ? { vmId: plan.vmid } : { containerId: plan.vmid };
      new proxmoxve.firewall.OptionsLegacy(
        `${name}-${fw.key}-options`,
        {
          nodeName: plan.node,
          ...target,
          enabled: fw.options.enabled,
          inputPolicy: fw.options.inputPolicy,
          outputPolicy: fw.options.outputPolicy,
        },
        { ...child, dependsOn: [args.guests[fw.key]] },
      );
      new proxmoxve.firewall.RulesLegacy(
        `${name}-${fw.key}-rules`,
        { nodeName: plan.node, ...target, rules: fw.rules.map((r) => ({ ...r, enabled: true })) },
        { ...child, dependsOn: [args.guests[fw.key]] },
      );
    }
    this.registerOutputs({});
  }
}
