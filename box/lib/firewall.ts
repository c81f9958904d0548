/**
 * The registered Proxmox firewall, enforced in the box: each node stand-in and each guest gets the
 * nftables ruleset translated from the firewall resources the program registered (the box's own mock
 * run, `plan.resources`: the program does not run a second time), loaded into its network namespace
 * once it is up and before any command runs in it (docs/box.md, "Firewall").
 *
 * One exemption, a box artefact: the vendor mirror listens on a node stand-in's address, where on a
 * real site those downloads come from the internet through the gateway and never meet a node's
 * firewall; its port is accepted on that node only, with a comment saying so.
 */
import type { FirewallRulesets } from "../../components/firewall/nftables";
import { NFT_TABLE } from "../../components/firewall/nftables";
import { firewallRulesetsFromResources } from "../../scripts/box/firewall";
import type { BoxPlan } from "./collect";
import type { BootedGuest } from "./guest";
import type { BootedNode } from "./node";
import { run } from "./sh";

/** A port the box opens on one node stand-in for a stand-in of something outside the site. */
export interface FirewallExemption {
  address: string;
  port: number;
  why: string;
}

/** What was loaded where: the kernel's listing of the table right after loading it. */
export interface LoadedTable {
  /** "node pve-school" or "guest moodle-lb1". */
  target: string;
  /** A process in the target's network namespace (its init). */
  pid: number;
  listing: string;
}

/**
 * Called once a node stand-in or a guest is up, before any command runs in it: loads its
 * ruleset into its network namespace.
 */
export interface FirewallHook {
  node(plan: BoxPlan, node: BootedNode): Promise<void>;
  guest(plan: BoxPlan, vmid: number, guest: BootedGuest): Promise<void>;
}

export interface EnforcedFirewall extends FirewallHook {
  /** Every table loaded so far, by target. */
  loaded: Map<string, LoadedTable>;
}

/** The registrations as the firewall loader reads them (custom resources, inputs in clear). */
export function registeredRulesets(plan: BoxPlan): FirewallRulesets {
  return firewallRulesetsFromResources(
    plan.stack,
    plan.resources
      .filter((r) => r.custom)
      .map((r) => ({ type: r.type, name: r.name, inputs: r.clearInputs ?? {} })),
  );
}

/** `nft` statements that accept each exemption ahead of the node's own rules (the table must exist). */
export function exemptionRules(address: string, ruleset: string, exemptions: FirewallExemption[]): string {
  const mine = exemptions.filter((e) => e.address === address);
  // Cluster or host firewall off: the ruleset only removes the table, nothing to exempt from.
  if (mine.length === 0 || !ruleset.includes("chain host_in {")) return "";
  return mine
    .map(
      (e) =>
        `insert rule inet ${NFT_TABLE} host_in ip daddr ${e.address} tcp dport ${e.port} accept comment ${JSON.stringify(`box: ${e.why}`)}\n`,
    )
    .join("");
}

async function nft(pid: number, args: string[], input?: string) {
  return run("nsenter", ["-t", String(pid), "-n", "nft", ...args], { input, timeoutMs: 30_000 });
}

/** The listing of the table in a namespace ("" when it is absent). */
export async function listTable(pid: number): Promise<string> {
  const r = await nft(pid, ["list", "table", "inet", NFT_TABLE]);
  return r.code === 0 ? r.stdout : "";
}

/** The registered firewall as a box hook; the rulesets are translated once, on first use. */
export function registeredFirewall(exemptions: FirewallExemption[]): EnforcedFirewall {
  let rulesets: FirewallRulesets | undefined;
  const loaded = new Map<string, LoadedTable>();
  const load = async (target: string, pid: number, text: string) => {
    const r = await nft(pid, ["-f", "-"], text);
    if (r.code !== 0)
      throw new Error(`${target}: nft -f refused its ruleset: ${r.stderr.trim().slice(-1000)}`);
    loaded.set(target, { target, pid, listing: await listTable(pid) });
  };
  const rulesetsOf = (plan: BoxPlan) => (rulesets ??= registeredRulesets(plan));
  return {
    loaded,
    async node(plan, node) {
      const text = rulesetsOf(plan).nodes.get(node.spec.name);
      if (text === undefined) throw new Error(`node ${node.spec.name}: no firewall registered for it`);
      await load(
        `node ${node.spec.name}`,
        node.guest.pid,
        text + exemptionRules(node.spec.address, text, exemptions),
      );
    },
    async guest(plan, vmid, guest) {
      const registered = plan.guests.find((g) => g.vmid === vmid);
      const text = registered && rulesetsOf(plan).guests.get(registered.name);
      if (text === undefined) throw new Error(`guest ${vmid}: no firewall registered for it`);
      await load(`guest ${registered!.name}`, guest.pid, text);
    },
  };
}
