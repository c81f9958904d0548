import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { SiteConfig } from "../../config/schema";
import type { SiteWiring } from "../../config/wiring";
import { nodeRules } from "./node-rules";
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

    // The nodes: what the service graph lets guests and other nodes reach on them (monitoring's
    // exporters, the UI for the tunnel's connectors, a files node's NFS for the other nodes).
    for (const node of site.proxmox.nodes) {
      const rules = nodeRules(wiring.edges, wiring.guests, node.name);
      if (rules.length > 0)
        new proxmoxve.firewall.RulesLegacy(
          `${name}-node-${node.name}`,
          { nodeName: node.name, rules },
          { ...child, dependsOn: [cluster] },
        );
    }

    for (const fw of computeGuestFirewalls(firewallModelFor(site, wiring))) {
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
