import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { renderPrelude } from "./script";

/** How the operator's machine reaches a Proxmox node over SSH. */
export interface NodeConnection {
  host: string;
  user: string;
  /** Secret; when absent the SSH agent is used. */
  privateKey?: pulumi.Output<string>;
}

export interface GuestProvisionerArgs {
  connection: NodeConnection;
  vmid: number;
  /** The rendered, idempotent script. Plain text: it never contains a secret. */
  script: pulumi.Input<string>;
  /** Secrets exported by the stdin prelude, by variable name. */
  secrets?: Record<string, pulumi.Input<string>>;
  /** What must be ready first (the guest, the databases it uses). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Runs a rendered script inside an LXC guest as `pct exec <vmid> -- bash -s`, over one SSH
 * connection to the node. Secrets travel on stdin (a stock Proxmox sshd drops `environment`);
 * a change of the script or of a secret re-runs it, an unchanged one does not.
 */
export class GuestProvisioner extends pulumi.ComponentResource {
  readonly command: command.remote.Command;

  constructor(name: string, args: GuestProvisionerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:GuestProvisioner", name, {}, opts);
    const secrets = args.secrets ?? {};
    const names = Object.keys(secrets).sort();
    const values = pulumi.all(names.map((n) => secrets[n]));
    const stdin = pulumi
      .all([args.script, values])
      .apply(([script, vals]) =>
        pulumi.secret(renderPrelude(Object.fromEntries(names.map((n, i) => [n, vals[i]]))) + script),
      );
    const scriptHash = pulumi.output(args.script).apply(sha256);
    // The secrets' digest goes into triggers so a rotated password re-runs the script; it is a
    // secret itself so the digest never shows in state or previews.
    const secretsHash = pulumi.secret(
      values.apply((vals) => sha256(names.map((n, i) => `${n}=${vals[i]}`).join("\n"))),
    );
    this.command = new command.remote.Command(
      name,
      {
        connection: {
          host: args.connection.host,
          user: args.connection.user,
          privateKey: args.connection.privateKey,
          dialErrorLimit: 10,
          perDialTimeout: 30,
        },
        create: `pct exec ${args.vmid} -- bash -s`,
        stdin,
        triggers: [scriptHash, secretsHash],
        addPreviousOutputInEnv: false,
        logging: "none",
      },
      {
        parent: this,
        dependsOn: args.dependsOn,
        additionalSecretOutputs: ["stdout", "stderr"],
      },
    );
    this.registerOutputs({ scriptHash });
  }
}
