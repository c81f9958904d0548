import ipaddr from "ipaddr.js";
import { checkAssignments } from "./assignments";
import { checkBackupCapacity } from "./backup-capacity";
import { capacityByNode } from "./capacity";
import { guestInventory, type GuestPlan } from "./inventory";
import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";
import { siteTemplates } from "./templates";
import { checkStorages } from "./storage-checks";
import { checkTierNeeds } from "./tier-needs";
import { TIERS } from "./tiers";
import { checkParsedValues } from "./value-checks";

export interface CrossCheckResult {
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

function duplicates<T>(items: readonly T[], keyOf: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return [...groups.values()].filter((g) => g.length > 1);
}

function checkAddresses(site: SiteConfig, guests: GuestPlan[], errors: ConfigProblem[]) {
  const [network, prefix] = ipaddr.IPv4.parseCIDR(site.network.cidr);
  const subnet: [ipaddr.IPv4, number] = [network, prefix];
  const networkAddress = ipaddr.IPv4.networkAddressFromCIDR(site.network.cidr).toString();
  const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(site.network.cidr).toString();
  const inside = (ip: string) => ipaddr.IPv4.parse(ip).match(subnet);
  if (networkAddress !== network.toString()) {
    errors.push({
      path: "network.cidr",
      message: `${site.network.cidr} has host bits set; the network is ${networkAddress}/${prefix}`,
    });
  }
  if (!inside(site.network.gateway)) {
    errors.push({
      path: "network.gateway",
      message: `${site.network.gateway} is outside network.cidr ${site.network.cidr}`,
    });
  } else if (prefix < 31 && (site.network.gateway === networkAddress || site.network.gateway === broadcast)) {
    errors.push({
      path: "network.gateway",
      message: `${site.network.gateway} is the ${site.network.gateway === broadcast ? "broadcast" : "network"} address of ${site.network.cidr}`,
    });
  }
  // Why an address cannot be a host's on this subnet (undefined when it can).
  const reserved = (ip: string) =>
    ip === networkAddress && prefix < 31
      ? `the network address of ${site.network.cidr}`
      : ip === broadcast && prefix < 31
        ? `the broadcast address of ${site.network.cidr}`
        : ip === site.network.gateway
          ? "the gateway address"
          : undefined;
  const taken: { path: string; ip: string }[] = [];
  site.proxmox.nodes.forEach((n, i) => {
    const path = `proxmox.nodes.${i}.address`;
    taken.push({ path, ip: n.address });
    // A node may sit on another (management) network; on the site's subnet it is a host like a guest.
    const why = inside(n.address) ? reserved(n.address) : undefined;
    if (why) errors.push({ path, message: `${n.address} is ${why}` });
  });
  for (const g of guests) {
    const path = `${g.configPath}.ip`;
    taken.push({ path, ip: g.ip });
    const why = inside(g.ip) ? reserved(g.ip) : `outside network.cidr ${site.network.cidr}`;
    if (why) errors.push({ path, message: `${g.ip} is ${why}` });
  }
  for (const { path, ip } of TIERS.flatMap((tier) => tier.addresses?.(site) ?? [])) {
    taken.push({ path, ip });
    const why = inside(ip) ? reserved(ip) : `outside network.cidr ${site.network.cidr}`;
    if (why) errors.push({ path, message: `${ip} is ${why}` });
  }
  for (const group of duplicates(taken, (t) => t.ip)) {
    for (const t of group.slice(1)) {
      errors.push({
        path: t.path,
        message: `${t.ip} is already used by ${group[0].path}; every address must be unique`,
      });
    }
  }
}

function checkIdentity(site: SiteConfig, guests: GuestPlan[], errors: ConfigProblem[]) {
  for (const group of duplicates(guests, (g) => String(g.vmid))) {
    for (const g of group.slice(1)) {
      errors.push({
        path: `${g.configPath}.vmid`,
        message: `${g.vmid} is already used by ${group[0].configPath}; VMIDs must be unique`,
      });
    }
  }
  for (const group of duplicates(guests, (g) => g.hostname)) {
    for (const g of group.slice(1)) {
      errors.push({
        path: `${g.configPath}.hostname`,
        message: `"${g.hostname}" is already used by ${group[0].configPath}`,
      });
    }
  }
  for (const group of duplicates(guests, (g) => g.key)) {
    for (const g of group.slice(1)) {
      errors.push({
        path: g.configPath,
        message: `logical name "${g.key}" clashes with ${group[0].configPath}; rename one key`,
      });
    }
  }
  const nodeNames = site.proxmox.nodes.map((n) => n.name);
  for (const group of duplicates(nodeNames, (n) => n)) {
    errors.push({ path: "proxmox.nodes", message: `node "${group[0]}" is listed ${group.length} times` });
  }
  for (const g of guests) {
    if (!nodeNames.includes(g.node)) {
      errors.push({
        path: `${g.configPath}.node`,
        message: `"${g.node}" is not one of proxmox.nodes (${nodeNames.join(", ")})`,
      });
    }
  }
  const templates = siteTemplates(site.templates);
  for (const g of guests) {
    if (g.template && !templates[g.template]) {
      errors.push({
        path: `${g.configPath}.template`,
        message: `"${g.template}" is not a known template (${Object.keys(templates).sort().join(", ")})`,
      });
    }
  }
}

function checkPublicNames(site: SiteConfig, errors: ConfigProblem[]) {
  const names: { path: string; name: string }[] = [];
  const add = (path: string, name: string | undefined) => name && names.push({ path, name });
  for (const n of TIERS.flatMap((tier) => tier.publicNames?.(site) ?? [])) add(n.path, n.name);
  add("tunnel.proxmoxHostname", site.tunnel?.proxmoxHostname);
  const zone = site.site.domain;
  for (const n of names) {
    if (n.name !== zone && !n.name.endsWith(`.${zone}`)) {
      errors.push({ path: n.path, message: `${n.name} is outside the site's domain ${zone}` });
    }
  }
  for (const group of duplicates(names, (n) => n.name)) {
    for (const n of group.slice(1))
      errors.push({ path: n.path, message: `${n.name} is already published by ${group[0].path}` });
  }
}

function checkTiers(
  site: SiteConfig,
  guests: GuestPlan[],
  errors: ConfigProblem[],
  warnings: ConfigProblem[],
) {
  errors.push(...checkTierNeeds(site));
  for (const tier of TIERS) {
    const found = tier.check?.(site, guests);
    errors.push(...(found?.errors ?? []));
    warnings.push(...(found?.warnings ?? []));
  }
  const t = site.tunnel;
  if (t) {
    if (!site.cloudflare)
      errors.push({ path: "cloudflare", message: "is required when tunnel is set (account and zone ids)" });
    t.connectorGuests.forEach((key, i) => {
      const g = guests.find((x) => x.key === key);
      if (!g) {
        errors.push({
          path: `tunnel.connectorGuests.${i}`,
          message: `"${key}" is not a guest of this stack (${guests.map((x) => x.key).join(", ")})`,
        });
      } else if (g.kind !== "lxc") {
        errors.push({
          path: `tunnel.connectorGuests.${i}`,
          message: `"${key}" is a VM; cloudflared runs in an LXC guest`,
        });
      }
    });
  }
  site.firewall.extraRules.forEach((rule, i) => {
    for (const end of ["from", "to"] as const) {
      const value = rule[end];
      const isGuest = guests.some((g) => g.key === value);
      const isCidr = end === "from" && ipaddr.IPv4.isValidCIDR(value);
      if (!isGuest && !isCidr) {
        errors.push({
          path: `firewall.extraRules.${i}.${end}`,
          message: `"${value}" is neither a guest key${end === "from" ? " nor an IPv4 CIDR" : ""} (guest keys: ${guests.map((g) => g.key).join(", ")})`,
        });
      }
    }
  });
  if (site.tunnel && !site.tunnel.cloudflared) {
    warnings.push({
      path: "tunnel.cloudflared",
      message:
        "is not set: no connector is installed until a release (version, sha256 of cloudflared-linux-amd64.deb) is pinned",
    });
  }
  for (const [key, tpl] of Object.entries(site.templates)) {
    if (!tpl.checksum)
      warnings.push({
        path: `templates.${key}.checksum`,
        message: "is not set: the download is not verified",
      });
  }
}

function checkCapacity(
  site: SiteConfig,
  guests: GuestPlan[],
  errors: ConfigProblem[],
  warnings: ConfigProblem[],
) {
  for (const cap of capacityByNode(site, guests)) {
    const i = site.proxmox.nodes.findIndex((n) => n.name === cap.node);
    for (const [what, use, unit, field] of [
      ["vCPUs", cap.vcpus, "", "cpuThreads"],
      ["guest memory", cap.memoryMb, " MB", "memoryGb"],
    ] as const) {
      const text = `${what} ${use.allocated}${unit} is ${use.percentOfLimit}% of the ${Math.round(use.limit)}${unit} this node may allocate`;
      if (use.status === "error")
        errors.push({ path: `proxmox.nodes.${i}.${field}`, message: `${text} (over 100 %)` });
      else if (use.status === "warn")
        warnings.push({ path: `proxmox.nodes.${i}.${field}`, message: `${text} (over 85 %)` });
    }
  }
}

/** Checks that need the whole config at once: uniqueness, addressing, wiring, capacity. */
export function crossCheck(site: SiteConfig): CrossCheckResult {
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const guests = guestInventory(site);
  checkAddresses(site, guests, errors);
  checkIdentity(site, guests, errors);
  checkPublicNames(site, errors);
  checkTiers(site, guests, errors, warnings);
  checkCapacity(site, guests, errors, warnings);
  checkBackupCapacity(site, guests, errors, warnings);
  errors.push(...checkStorages(site), ...checkParsedValues(site, guests));
  const assignments = checkAssignments(site);
  errors.push(...assignments.errors);
  warnings.push(...assignments.warnings);
  return { errors, warnings };
}
