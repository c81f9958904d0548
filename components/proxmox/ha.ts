import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";

export interface HaTierArgs {
  /** HA resource ids such as ct:210, vm:900, with the guest's key and the node the stack places it on. */
  resources: { key: string; sid: string; node: string }[];
  /** Every node of the cluster. */
  nodes: string[];
  /**
   * Guests that stand in for each other (the balancers, the app nodes), by group name: HA keeps the
   * members of a group on different nodes, so a recovery never puts two of them on one node.
   */
  spread: Record<string, string[]>;
  provider: proxmoxve.Provider;
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * Proxmox HA for one tier's guests: each guest managed by HA and preferring the node the stack places it
 * on (any other node when that one is down), and guests that stand in for each other kept apart. A rule
 * per guest: one rule preferring the first node for all of them would gather the tier on that node.
 */
export class HaTier extends pulumi.ComponentResource {
  constructor(name: string, args: HaTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:HaTier", name, {}, opts);
    const managed = new Map(
      args.resources.map((r) => [
        r.sid,
        new proxmoxve.Haresource(
          `${name}-${r.key}`,
          { resourceId: r.sid, state: "started", maxRestart: 3, maxRelocate: 1 },
          { parent: this, provider: args.provider, dependsOn: args.dependsOn },
        ),
      ]),
    );
    for (const r of args.resources) {
      new proxmoxve.Harule(
        `${name}-${r.key}-node`,
        {
          rule: `${name}-${r.key}`,
          type: "node-affinity",
          resources: [r.sid],
          nodes: Object.fromEntries(args.nodes.map((n) => [n, n === r.node ? 2 : 1])),
          strict: false,
        },
        { parent: this, provider: args.provider, dependsOn: [managed.get(r.sid)!] },
      );
    }
    for (const [group, sids] of Object.entries(args.spread).sort(([a], [b]) => a.localeCompare(b))) {
      if (sids.length < 2) continue;
      new proxmoxve.Harule(
        `${name}-${group}-apart`,
        {
          rule: `${name}-${group}-apart`,
          type: "resource-affinity",
          affinity: "negative",
          resources: sids,
        },
        { parent: this, provider: args.provider, dependsOn: sids.map((s) => managed.get(s)!) },
      );
    }
    this.registerOutputs({});
  }
}
