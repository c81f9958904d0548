import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { renderDataSnapshotNodeScript, type DataSnapshotInput } from "./data-snapshots";
import { NodeProvisioner, type NodeConnection } from "./provisioner";

export interface BackupPlanArgs {
  storage: string;
  /** systemd calendar event of the one job. */
  schedule: string;
  /** The job's `prune-backups` options, every retention together. */
  pruneBackups: Record<string, string>;
  mode: "snapshot" | "suspend" | "stop";
  mailTo: string[];
  provider: proxmoxve.Provider;
  /** Per node: the ZFS snapshots of the data volumes left out of vzdump on that node. */
  dataSnapshots: { node: string; connection: NodeConnection; input: DataSnapshotInput }[];
}

/**
 * One vzdump job of every guest per storage and schedule, carrying the whole retention: Proxmox
 * prunes backups per guest and storage, whichever job wrote them, so a second job with its own
 * retention would prune the first job's backups. Data volumes left out of vzdump get ZFS snapshots
 * on their node instead.
 */
export class BackupPlan extends pulumi.ComponentResource {
  readonly job: proxmoxve.backup.Job;
  readonly snapshotTimers: NodeProvisioner[];

  constructor(name: string, args: BackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:BackupPlan", name, {}, opts);
    this.job = new proxmoxve.backup.Job(
      `${name}-${args.storage}`,
      {
        resourceId: `${name}-${args.storage}`,
        all: true,
        storage: args.storage,
        schedule: args.schedule,
        mode: args.mode,
        compress: "zstd",
        pruneBackups: args.pruneBackups,
        mailtos: args.mailTo,
        mailnotification: "failure",
        notesTemplate: "{{guestname}}",
        enabled: true,
      },
      { parent: this, provider: args.provider },
    );
    this.snapshotTimers = args.dataSnapshots.map(
      (s) =>
        new NodeProvisioner(
          `${s.node}-data-snapshots`,
          { connection: s.connection, script: renderDataSnapshotNodeScript(s.input) },
          { parent: this },
        ),
    );
    this.registerOutputs({});
  }
}
