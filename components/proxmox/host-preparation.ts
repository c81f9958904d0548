import * as pulumi from "@pulumi/pulumi";
import type { SiteConfig } from "../../config/schema";
import type { SiteWiring } from "../../config/wiring";
import { renderNodeHardeningScript } from "../security/scripts";
import { parseRebootRequired, renderGpuHostScript } from "./gpu-host";
import { NodeProvisioner, type NodeConnection } from "./provisioner";

export interface HostPreparationArgs {
  site: SiteConfig;
  wiring: SiteWiring;
  connectionFor: (node: string) => NodeConnection;
}

/**
 * What the program applies to the Proxmox nodes themselves: sshd hardening and Fail2Ban, and
 * the IOMMU/vfio preparation for GPU passthrough. The host is never rebooted from here.
 */
export class HostPreparation extends pulumi.ComponentResource {
  /** True when a node needs a reboot for passthrough settings to take effect. */
  readonly rebootRequired: pulumi.Output<boolean>;
  /** The passthrough preparation step, when there is one: the GPU VM starts after it. */
  readonly passthrough?: pulumi.Resource;

  constructor(name: string, args: HostPreparationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:HostPreparation", name, {}, opts);
    const { site, wiring } = args;
    const hardening = site.hardening;
    if (hardening?.enabled) {
      // pvedaemon sees tunnelled UI logins as coming from the connector: banning it would lock out everyone.
      const connectors = wiring.guests
        .filter((g) => site.tunnel?.connectorGuests.includes(g.key))
        .map((g) => `${g.ip}/32`);
      const jail = {
        maxRetry: hardening.fail2banMaxRetry,
        bantimeSeconds: hardening.fail2banBanMinutes * 60,
      };
      const script = renderNodeHardeningScript({
        sshd: { permitRootLogin: hardening.permitRootLogin },
        fail2ban: { ignoreCidrs: [...site.network.adminCidrs, ...connectors], sshd: jail, proxmoxUi: jail },
      });
      for (const node of site.proxmox.nodes) {
        new NodeProvisioner(
          `${node.name}-hardening`,
          { connection: args.connectionFor(node.name), script },
          { parent: this },
        );
      }
    }
    const vm = site.windowsGpu;
    const gpu = site.gpuHost;
    let reboot: pulumi.Output<boolean> = pulumi.output(false);
    if (vm && gpu?.enabled) {
      const nodeName = wiring.guests.find((g) => g.key === "windows-gpu")!.node;
      const node = site.proxmox.nodes.find((n) => n.name === nodeName)!;
      const step = new NodeProvisioner(
        `${node.name}-gpu-passthrough`,
        {
          connection: args.connectionFor(node.name),
          script: renderGpuHostScript({
            cpuVendor: node.cpuVendor,
            pciIds: vm.gpu.ids,
            acsOverride: gpu.acsOverride,
            bootloader: gpu.bootloader,
            blacklist: gpu.blacklist,
          }),
        },
        { parent: this },
      );
      // stdout is secret by default on every script run; this one carries only the marker line.
      this.passthrough = step;
      // (The credential-free plan runs no script: no output, nothing to reboot for.)
      reboot = pulumi.unsecret(step.command.stdout.apply((out) => (out ? parseRebootRequired(out) : false)));
    }
    this.rebootRequired = reboot;
    this.registerOutputs({ rebootRequired: this.rebootRequired });
  }
}
