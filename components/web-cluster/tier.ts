import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { NfsServerPlan } from "./nfs";
import { renderNfsServerScript } from "./nfs-script";
import type { SharedStoragePlan } from "../moodle/shared-storage";
import { renderStorageNodeScript } from "./storage-node-script";
import { NodeProvisioner } from "../proxmox/provisioner";
import { GuestTier } from "../core/guest-tier";
import type { TierHost } from "../core/tier-host";
import { balancerScriptEnv, renderBalancerScript } from "./balancer-script";
import type { BalancerPlan } from "./front";
import { haproxyStatsPasswordVariable } from "./haproxy-settings";
import { keepalivedPasswordVariable } from "./keepalived";

/** What the shared part of a cluster is built from (the same for a web cluster and for Moodle). */
export interface ClusterCore {
  /** Guest-key prefix: `moodle`, or the web cluster's name. */
  prefix: string;
  balancers: readonly BalancerPlan[];
  /** Guest keys of the app nodes. */
  nodes: readonly string[];
  /** The cluster's NFS storage, bind-mounted into every app node at `mountPath`. */
  shared: SharedStoragePlan;
  /** Where the app nodes see the shared files. */
  mountPath: string;
  /** The sharedFiles node and its export, when a node of the cluster serves the files. */
  nfs?: NfsServerPlan;
}

/** What a load-balanced tier takes from the site besides its own stack key. */
export interface ClusterTierArgs {
  /** The cluster's guest plans: its balancers and app nodes. */
  host: TierHost;
  /** The Proxmox nodes: each mounts the shared storage (an app node may be placed on any). */
  proxmoxNodes: readonly { name: string; address: string }[];
  /** The API-token provider the shared storage is registered with. */
  proxmoxProvider: proxmoxve.Provider;
}

/**
 * Base of the load-balanced tiers: HAProxy balancers (keepalived with two), the shared files (an NFS
 * storage of the Proxmox cluster, served by one Proxmox node or a NAS, mounted by every node and
 * bind-mounted into the unprivileged app nodes: the kernel refuses NFS mounts in a user namespace) and
 * the app node guests. The flavour (a web application, Moodle) adds what runs on the app nodes. Bind
 * mounts need root@pam, so the app nodes use the root@pam provider.
 */
export abstract class ClusterTier extends GuestTier {
  /** Password of the HAProxy stats page, user `admin` (secret). */
  readonly statsPassword: pulumi.Output<string>;

  /** The component's name (children are named after it). */
  readonly #name: string;
  readonly #cluster: ClusterTierArgs;

  protected constructor(
    type: string,
    name: string,
    args: ClusterTierArgs,
    balancerKeys: readonly string[],
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(type, name, args.host, opts);
    this.#name = name;
    this.#cluster = args;
    for (const guest of balancerKeys) this.addGuest(guest);
    this.statsPassword = this.password("stats", 32);
  }

  /** Registers the tier's public fields: the base tier's, the stats password, and the flavour's own. */
  protected override registerTierOutputs(own: pulumi.Inputs = {}): void {
    super.registerTierOutputs({ statsPassword: this.statsPassword, ...own });
  }

  /** A generated password, a child named `<tier>-<role>-password`. */
  protected password(role: string, length: number): pulumi.Output<string> {
    return new random.RandomPassword(
      `${this.#name}-${role}-password`,
      { length, special: false },
      { parent: this },
    ).result;
  }

  /**
   * The shared storage, the app node guests (with the share bind-mounted) and the balancers' steps.
   * Returns nothing: the flavour provisions the app nodes it now finds in `this.guests`.
   */
  protected buildCore(core: ClusterCore): void {
    const { factory } = this.host;
    const name = this.#name;
    const clustered = core.balancers.some((b) => b.input.keepalived !== undefined);
    // keepalived's PASS authentication uses only 8 characters: exactly 8, so none is silently dropped.
    const keepalivedPassword = clustered ? this.password("keepalived", 8) : undefined;
    const balancerSecrets: Record<string, pulumi.Input<string> | undefined> = {
      [haproxyStatsPasswordVariable]: this.statsPassword,
      [keepalivedPasswordVariable]: keepalivedPassword,
    };

    // A host step, as hardening: no container may serve NFS (docs/field-notes.md, "Shared files").
    let nfs: pulumi.Resource | undefined;
    if (core.nfs) {
      nfs = new NodeProvisioner(
        `${core.nfs.node}-${name}-files`,
        {
          connection: factory.connectionForNode(core.nfs.node),
          script: renderNfsServerScript(core.nfs.input),
        },
        { parent: this },
      );
    }
    const shared = core.shared;
    // Registered with the API token (Datastore.Allocate on /storage); every node mounts it.
    const storage = new proxmoxve.storage.Nfs(
      `${name}-shared-storage`,
      {
        resourceId: shared.storageId,
        server: shared.server,
        export: shared.exportPath,
        options: shared.options,
        nodes: shared.nodes,
        // Proxmox keeps no guest disks or backups here; with root squashed it could not create its
        // content directories anyway.
        contents: ["snippets"],
        createBasePath: false,
        createSubdirs: false,
      },
      { parent: this, provider: this.#cluster.proxmoxProvider, dependsOn: nfs ? [nfs] : [] },
    );
    // On every node (an app node may be placed, moved or recovered on any): mounted, the shared directory
    // there with its owner and marker. Adding an app node then adds nothing here.
    const clusterNodes = this.#cluster.proxmoxNodes.map((n) => n.name);
    const nodeReady = new Map(
      clusterNodes.map((node) => [
        node,
        new NodeProvisioner(
          `${node}-${name}-shared-storage`,
          {
            connection: factory.connectionForNode(node),
            script: renderStorageNodeScript({ storageId: shared.storageId, directory: shared.directory }),
            dependsOn: [storage],
          },
          { parent: this },
        ),
      ]),
    );
    for (const node of core.nodes) {
      this.addGuest(node, {
        features: { nesting: true },
        bindMounts: [{ hostPath: shared.hostPath, path: core.mountPath }],
        dependsOn: [nodeReady.get(this.planOf(node).node)!],
      });
    }
    for (const b of core.balancers) {
      this.provision({
        guest: b.guest,
        role: "balancer",
        script: renderBalancerScript(b.input),
        secrets: Object.fromEntries(
          balancerScriptEnv(b.input).map((n) => {
            const value = balancerSecrets[n];
            if (value === undefined) throw new Error(`${name}: no secret for ${n}`);
            return [n, value];
          }),
        ),
      });
    }
  }
}
