/**
 * The box's network: a switch namespace holding a bridge with the site's gateway address (and no
 * other interface: nothing routes out), veths of the guests on that bridge, and a client
 * namespace (the operator's workstation) from which the box runs SSH and the checks.
 */
import { must, run } from "./sh";
import type { Teardown } from "./teardown";

export const BRIDGE = "br0";

export interface Switch {
  netns: string;
}

/** Creates the switch namespace with `br0` holding `gatewayCidr` (e.g. 10.10.0.1/24). */
export async function createSwitch(teardown: Teardown, netns: string, gatewayCidr: string): Promise<Switch> {
  await must("ip", ["netns", "add", netns]);
  teardown.add(`delete namespace ${netns}`, async () => void (await must("ip", ["netns", "del", netns])));
  await must("ip", ["-n", netns, "link", "set", "lo", "up"]);
  await must("ip", ["-n", netns, "link", "add", BRIDGE, "type", "bridge"]);
  await must("ip", ["-n", netns, "link", "set", BRIDGE, "up"]);
  await must("ip", ["-n", netns, "addr", "add", gatewayCidr, "dev", BRIDGE]);
  return { netns };
}

/** Moves a host-side veth end into the switch and onto the bridge. */
export async function plugIntoSwitch(sw: Switch, hostIf: string): Promise<void> {
  await must("ip", ["link", "set", hostIf, "netns", sw.netns]);
  await must("ip", ["-n", sw.netns, "link", "set", hostIf, "master", BRIDGE, "up"]);
}

/** Whether a network interface exists in the host namespace. */
export async function linkExists(name: string): Promise<boolean> {
  return (await run("ip", ["link", "show", name])).code === 0;
}

/** A plain namespace on the bridge with one address: where SSH and the checks come from. */
export async function createClient(
  teardown: Teardown,
  sw: Switch,
  netns: string,
  hostIf: string,
  addressCidr: string,
  gateway: string,
): Promise<string> {
  await must("ip", ["netns", "add", netns]);
  teardown.add(`delete namespace ${netns}`, async () => void (await must("ip", ["netns", "del", netns])));
  await must("ip", ["link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", netns]);
  await plugIntoSwitch(sw, hostIf);
  await must("ip", ["-n", netns, "link", "set", "lo", "up"]);
  await must("ip", ["-n", netns, "addr", "add", addressCidr, "dev", "eth0"]);
  await must("ip", ["-n", netns, "link", "set", "eth0", "up"]);
  await must("ip", ["-n", netns, "route", "add", "default", "via", gateway]);
  return netns;
}
