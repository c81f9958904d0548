import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { renderStdin } from "./script";

/** How the operator's machine reaches a Proxmox node over SSH. */
export interface NodeConnection {
  host: string;
  user: string;
  /** Secret; when absent the SSH agent is used. */
  privateKey?: pulumi.Output<string>;
}

export interface ScriptRunArgs {
  connection: NodeConnection;
  /** The rendered, idempotent script. Plain text: it never contains a secret. */
  script: pulumi.Input<string>;
  /** Secrets exported by the stdin prelude, by variable name. */
  secrets?: Record<string, pulumi.Input<string>>;
  /** What must be ready first (the guest, the databases it uses). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export interface GuestProvisionerArgs extends ScriptRunArgs {
  vmid: number;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * One remote command that runs a rendered script with secrets on stdin (a stock Proxmox sshd drops
 * `environment`). A change of the script or of a secret re-runs it; an unchanged one does not.
 */
function scriptCommand(
  name: string,
  create: string,
  args: ScriptRunArgs,
  parent: pulumi.Resource,
): command.remote.Command {
  const secrets = args.secrets ?? {};
  const names = Object.keys(secrets).sort();
  const values = pulumi.all(names.map((n) => secrets[n]));
  const stdin = pulumi.secret(
    pulumi
      .all([args.script, values])
      .apply(([script, vals]) => renderStdin(Object.fromEntries(names.map((n, i) => [n, vals[i]])), script)),
  );
  const scriptHash = pulumi.output(args.script).apply(sha256);
  // The secrets' digest goes into triggers so a rotated password re-runs the script; it is a
  // secret itself so the digest never shows in state or previews.
  const secretsHash = pulumi.secret(
    values.apply((vals) => sha256(names.map((n, i) => `${n}=${vals[i]}`).join("\n"))),
  );
  return new command.remote.Command(
    name,
    {
      connection: {
        host: args.connection.host,
        user: args.connection.user,
        privateKey: args.connection.privateKey,
        dialErrorLimit: 10,
        perDialTimeout: 30,
      },
      create,
      stdin,
      triggers: [scriptHash, secretsHash],
      addPreviousOutputInEnv: false,
      logging: "none",
    },
    { parent, dependsOn: args.dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
  );
}

/** Runs a rendered script inside an LXC guest as `pct exec <vmid> -- bash -s`, over SSH to its node. */
export class GuestProvisioner extends pulumi.ComponentResource {
  readonly command: command.remote.Command;

  constructor(name: string, args: GuestProvisionerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:GuestProvisioner", name, {}, opts);
    this.command = scriptCommand(name, `pct exec ${args.vmid} -- bash -s`, args, this);
    this.registerOutputs({});
  }
}

/** Runs a rendered script on the Proxmox node itself (host hardening, passthrough preparation). */
export class NodeProvisioner extends pulumi.ComponentResource {
  readonly command: command.remote.Command;

  constructor(name: string, args: ScriptRunArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:NodeProvisioner", name, {}, opts);
    this.command = scriptCommand(name, "bash -s", args, this);
    this.registerOutputs({});
  }
}
