/** Every registered guest as the firewall sees it: NICs (net0…) with flags and addresses, options, rules. Pure. */
import type { GuestNic as FirewallViewNic, GuestView as FirewallViewGuest } from "./firewall-view";
import type { RegisteredFirewall, RuleInputs, RulesInputs } from "./registered";

/**
 * A NIC as the evaluator sees it: the one `GuestNic` of firewall-view.ts without the device name
 * inside the guest (the evaluator works at Proxmox's `net<N>` level).
 */
export type EvaluatedNic = Pick<FirewallViewNic, "iface" | "firewall" | "addresses">;

/**
 * A guest as the evaluator sees it: the one `GuestView` of firewall-view.ts without the stack key
 * and the guest-level IP sets and aliases (the evaluator resolves those from the whole registered
 * firewall, as Proxmox does).
 */
export type EvaluatedGuest = Pick<
  FirewallViewGuest,
  "vmid" | "kind" | "node" | "name" | "options" | "rules"
> & {
  nics: EvaluatedNic[];
};

function addressesOf(ipConfigs: readonly { ipv4?: { address?: string } }[] | undefined, i: number): string[] {
  const address = ipConfigs?.[i]?.ipv4?.address;
  return address && address !== "dhcp" ? [address.split("/")[0]] : [];
}

function rulesFor(all: readonly RulesInputs[], vmid: number): RuleInputs[] {
  return all.filter((r) => (r.vmId ?? r.containerId) === vmid).flatMap((r) => r.rules ?? []);
}

/** Every registered guest with its NICs, options and rules, by VMID. */
export function guestViews(fw: RegisteredFirewall): EvaluatedGuest[] {
  const options = (vmid: number) => fw.options.find((o) => (o.vmId ?? o.containerId) === vmid);
  const cts = fw.containers
    .filter((c) => c.vmId !== undefined)
    .map((c): EvaluatedGuest => {
      const vmid = c.vmId!;
      const nics = (c.networkInterfaces ?? []).map((n, i) => ({
        iface: `net${i}`,
        firewall: n.firewall === true && n.enabled !== false,
        addresses: addressesOf(c.initialization?.ipConfigs, i),
      }));
      const name = c.initialization?.hostname ?? `ct${vmid}`;
      return {
        vmid,
        kind: "ct",
        node: c.nodeName,
        name,
        nics,
        options: options(vmid),
        rules: rulesFor(fw.rules, vmid),
      };
    });
  const vms = fw.vms
    .filter((v) => v.vmId !== undefined)
    .map((v): EvaluatedGuest => {
      const vmid = v.vmId!;
      const nics = (v.networkDevices ?? []).map((n, i) => ({
        iface: `net${i}`,
        firewall: n.firewall === true && n.enabled !== false,
        addresses: addressesOf(v.initialization?.ipConfigs, i),
      }));
      return {
        vmid,
        kind: "vm",
        node: v.nodeName,
        name: v.name ?? `vm${vmid}`,
        nics,
        options: options(vmid),
        rules: rulesFor(fw.rules, vmid),
      };
    });
  return [...cts, ...vms].sort((a, b) => a.vmid - b.vmid);
}

/** Why a guest's NIC lets everything in, or undefined when it filters. */
export function unfilteredBecause(
  fw: RegisteredFirewall,
  guest: EvaluatedGuest,
  nic: EvaluatedNic,
): string | undefined {
  if (!fw.cluster?.enabled) return "the cluster firewall is off";
  if (!guest.options) return "no firewall options (enable defaults to off)";
  if (!guest.options.enabled) return "its firewall is not enabled";
  if (!nic.firewall) return `${nic.iface} has firewall=0`;
  return undefined;
}
