/**
 * keepalived for a pair (or more) of HAProxy balancers sharing a floating VIP over unicast VRRP. The VIP
 * leaves a balancer whose haproxy service is not active. Pure.
 */
import { Problems } from "../proxmox/problems";
import { isIpv4, isSafeName } from "./checks";

/** One balancer taking part in VRRP. */
export interface VrrpPeer {
  /** Name from the stack-config key. */
  name: string;
  /** Its own (non-floating) IPv4 address; VRRP adverts are sent unicast between these. */
  address: string;
}

export interface KeepalivedInput {
  /** VRRP instance is `<name>_vip`. Default `moodle` (the Moodle flavour's config stays as it was). */
  name?: string;
  /** What the floating address serves, for the header comment. Default `Moodle`. */
  label?: string;
  /** Every balancer sharing the VIP (at least two). */
  balancers: readonly VrrpPeer[];
  /** Name of the balancer this file is for. */
  self: string;
  /** Name of the balancer that takes the VIP when both start healthy. */
  primary: string;
  /** The floating IPv4 address. */
  vip: string;
  /** Prefix length of the VIP's network. Default 24. */
  vipPrefixLength?: number;
  /** Guest network interface. Default `eth0` (Proxmox LXC net0). */
  interface?: string;
  /** VRRP router id, unique on the LAN segment, 1-255. */
  virtualRouterId: number;
  /** VRRP advert interval, seconds. Default 1 (a backup takes over after about 3 × this). */
  advertIntervalSeconds?: number;
  /** Interval of the haproxy check, seconds. Default 1. */
  checkIntervalSeconds?: number;
  /** Failed checks before the balancer gives up the VIP. Default 2. */
  checkFall?: number;
}

/** The VRRP password variable (PASS authentication uses only its first 8 characters). */
export const keepalivedPasswordVariable = "KEEPALIVED_AUTH_PASSWORD";

/** VRRP priority of a balancer: the primary highest, the others below in name order. */
export function vrrpPriority(input: Pick<KeepalivedInput, "balancers" | "primary">, name: string): number {
  if (name === input.primary) return 150;
  const others = input.balancers
    .map((b) => b.name)
    .filter((n) => n !== input.primary)
    .sort();
  const index = others.indexOf(name);
  if (index < 0) throw new Error(`moodle.keepalived: ${name} is not one of the balancers`);
  return 100 - index;
}

function validate(input: KeepalivedInput): void {
  const p = new Problems("moodle.keepalived");
  const names = input.balancers.map((b) => b.name);
  p.check(input.balancers.length >= 2, "balancers", names, "at least two balancers");
  p.check(isSafeName(input.name ?? "moodle"), "name", input.name, "a name of [A-Za-z0-9_.-]");
  p.check(new Set(names).size === names.length, "balancers", names, "unique names");
  const addresses = input.balancers.map((b) => b.address);
  p.check(new Set(addresses).size === addresses.length, "balancers", addresses, "unique addresses");
  for (const b of input.balancers) {
    p.check(isSafeName(b.name), `balancers.${b.name}.name`, b.name, "a name of [A-Za-z0-9_.-]");
    p.check(isIpv4(b.address), `balancers.${b.name}.address`, b.address, "an IPv4 address");
  }
  p.check(names.includes(input.self), "self", input.self, `one of ${names.join(", ")}`);
  p.check(names.includes(input.primary), "primary", input.primary, `one of ${names.join(", ")}`);
  p.check(isIpv4(input.vip) && !addresses.includes(input.vip), "vip", input.vip, "a free IPv4 address");
  const prefix = input.vipPrefixLength ?? 24;
  p.check(Number.isInteger(prefix) && prefix >= 8 && prefix <= 32, "vipPrefixLength", prefix, "8-32");
  const iface = input.interface ?? "eth0";
  p.check(/^[A-Za-z0-9_.-]{1,15}$/.test(iface), "interface", iface, "an interface name");
  const id = input.virtualRouterId;
  p.check(Number.isInteger(id) && id >= 1 && id <= 255, "virtualRouterId", id, "an integer 1-255");
  for (const key of ["advertIntervalSeconds", "checkIntervalSeconds", "checkFall"] as const) {
    const value = input[key] ?? 1;
    p.check(Number.isInteger(value) && value >= 1 && value <= 60, key, value, "an integer 1-60");
  }
  p.throwIfAny();
}

/** `/etc/keepalived/keepalived.conf` for one balancer. Contains `@@KEEPALIVED_AUTH_PASSWORD@@`. */
export function renderKeepalivedConfig(input: KeepalivedInput): string {
  validate(input);
  const self = input.balancers.find((b) => b.name === input.self);
  if (!self) throw new Error(`moodle.keepalived.self: ${input.self} is not one of the balancers`);
  const peers = input.balancers
    .filter((b) => b.name !== input.self)
    .sort((a, b) => a.name.localeCompare(b.name));
  const iface = input.interface ?? "eth0";
  return [
    `# keepalived for balancer ${self.name}: floating ${input.label ?? "Moodle"} address ${input.vip}. Rendered by proxmox-sites.`,
    "global_defs {",
    `    router_id ${self.name}`,
    "    enable_script_security",
    "    script_user root",
    "}",
    "",
    "# The VIP leaves this balancer (FAULT state) while haproxy is not running.",
    "vrrp_script chk_haproxy {",
    '    script "/usr/bin/systemctl is-active --quiet haproxy.service"',
    `    interval ${input.checkIntervalSeconds ?? 1}`,
    `    fall ${input.checkFall ?? 2}`,
    "    rise 2",
    "}",
    "",
    `vrrp_instance ${input.name ?? "moodle"}_vip {`,
    "    # Both start as BACKUP; the higher priority takes the VIP, and nopreempt keeps it where it is",
    "    # after a failover instead of moving it back (one interruption, not two).",
    "    state BACKUP",
    "    nopreempt",
    `    interface ${iface}`,
    `    virtual_router_id ${input.virtualRouterId}`,
    `    priority ${vrrpPriority(input, self.name)}`,
    `    advert_int ${input.advertIntervalSeconds ?? 1}`,
    `    unicast_src_ip ${self.address}`,
    "    unicast_peer {",
    ...peers.map((peer) => `        ${peer.address}`),
    "    }",
    "    authentication {",
    "        auth_type PASS",
    `        auth_pass @@${keepalivedPasswordVariable}@@`,
    "    }",
    "    virtual_ipaddress {",
    `        ${input.vip}/${input.vipPrefixLength ?? 24} dev ${iface}`,
    "    }",
    "    track_script {",
    "        chk_haproxy",
    "    }",
    "}",
    "",
  ].join("\n");
}
