import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";

export interface HaTierArgs {
  /** HA resource ids such as ct:210, vm:900. */
  resources: { key: string; sid: string }[];
  /** Nodes the tier may run on, by priority (higher first). */
  nodes: string[];
  provider: proxmoxve.Provider;
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** Proxmox HA for one tier's guests: each guest managed by HA, kept on the tier's nodes. */
export class HaTier extends pulumi.ComponentResource {
  constructor(name: string, args: HaTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:HaTier", name, {}, opts);
    const managed = args.resources.map(
      (r) =>
        new proxmoxve.Haresource(
          `${name}-${r.key}`,
          { resourceId: r.sid, state: "started", maxRestart: 3, maxRelocate: 1 },
          { parent: this, provider: args.provider, dependsOn: args.dependsOn },
        ),
    );
    new proxmoxve.Harule(
      `${name}-nodes`,
      {
        rule: name,
        type: "node-affinity",
        resources: args.resources.map((r) => r.sid),
        nodes: Object.fromEntries(args.nodes.map((n, i) => [n, args.nodes.length - i])),
        strict: false,
      },
      { parent: this, provider: args.provider, dependsOn: managed },
    );
    this.registerOutputs({});
  }
}
