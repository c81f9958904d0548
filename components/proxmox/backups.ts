import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";

export interface BackupPlanArgs {
  storage: string;
  dailySchedule: string;
  weeklySchedule: string;
  keepDaily: number;
  keepWeekly: number;
  mode: "snapshot" | "suspend" | "stop";
  mailTo: string[];
  provider: proxmoxve.Provider;
}

/** vzdump jobs for every guest: a daily one and a weekly one, pruned by retention. */
export class BackupPlan extends pulumi.ComponentResource {
  readonly jobs: proxmoxve.backup.Job[];

  constructor(name: string, args: BackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:BackupPlan", name, {}, opts);
    const common = {
      all: true,
      storage: args.storage,
      mode: args.mode,
      compress: "zstd",
      mailtos: args.mailTo,
      mailnotification: "failure",
      enabled: true,
    };
    this.jobs = [
      new proxmoxve.backup.Job(
        `${name}-daily`,
        {
          ...common,
          resourceId: `${name}-daily`,
          schedule: args.dailySchedule,
          // Proxmox prunes in order last, hourly, daily, weekly: daily keeps the 30 days.
          pruneBackups: { "keep-daily": String(args.keepDaily) },
          notesTemplate: "{{guestname}} daily",
        },
        { parent: this, provider: args.provider },
      ),
      new proxmoxve.backup.Job(
        `${name}-weekly`,
        {
          ...common,
          resourceId: `${name}-weekly`,
          schedule: args.weeklySchedule,
          pruneBackups: { "keep-weekly": String(args.keepWeekly) },
          notesTemplate: "{{guestname}} weekly",
        },
        { parent: this, provider: args.provider },
      ),
    ];
    this.registerOutputs({});
  }
}
