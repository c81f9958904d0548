/**
 * Cross-checks of the web clusters (`webClusters.<name>`): its balancers' floating address, its cron node, its shared storage, and guest keys that two tiers
 * would both claim. Every problem names its key. Pure.
 */
import ipaddr from "ipaddr.js";
import type { GuestPlan } from "./inventory";
import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";
import { checkFilesNode } from "./shared-files-checks";
import { declaredStorages } from "./storage-checks";
import { webClusterStorageId } from "./web-cluster-schema";

export function checkWebClusters(
  site: SiteConfig,
  guests: readonly GuestPlan[],
  errors: ConfigProblem[],
): void {
  const clusters = Object.entries(site.webClusters ?? {});
  const subnet = ipaddr.IPv4.parseCIDR(site.network.cidr);
  const storages = new Map<string, string>(
    declaredStorages(site).map((id) => [id, "a storage of proxmox.storage"]),
  );
  if (site.moodle) storages.set(site.moodle.sharedStorage.id, "moodle.sharedStorage.id");
  const vips = new Map<string, string>(site.moodle?.vip ? [[site.moodle.vip, "moodle.vip"]] : []);
  for (const [name, c] of clusters) {
    const at = (key: string) => `webClusters.${name}.${key}`;
    const lbKeys = Object.keys(c.loadBalancers);
    const nodeKeys = Object.keys(c.nodes);
    for (const k of lbKeys)
      if (c.nodes[k])
        errors.push({ path: at(`loadBalancers.${k}`), message: `key "${k}" is also an app node key` });
    if (lbKeys.length >= 2 && !c.vip)
      errors.push({ path: at("vip"), message: "is required with two load balancers (the floating address)" });
    if (lbKeys.length < 2 && c.vip)
      errors.push({
        path: at("vip"),
        message: `${c.vip} needs a second load balancer: keepalived moves it between two`,
      });
    if (c.vip) {
      if (!ipaddr.IPv4.parse(c.vip).match(subnet))
        errors.push({ path: at("vip"), message: `${c.vip} is outside network.cidr ${site.network.cidr}` });
      const guest = guests.find((g) => g.ip === c.vip);
      if (guest) errors.push({ path: at("vip"), message: `${c.vip} is already ${guest.configPath}.ip` });
      const other = vips.get(c.vip);
      if (other) errors.push({ path: at("vip"), message: `${c.vip} is already ${other}` });
      vips.set(c.vip, at("vip"));
    }
    if (c.cronNode && !c.nodes[c.cronNode])
      errors.push({
        path: at("cronNode"),
        message: `"${c.cronNode}" is not one of ${at("nodes")} (${nodeKeys.join(", ")})`,
      });
    const s = c.sharedStorage;
    if (c.sharedFiles) {
      checkFilesNode(site, at("sharedFiles"), c.sharedFiles, errors);
      if (s.server)
        errors.push({
          path: at("sharedStorage.server"),
          message: `${s.server} names an external NFS server, but ${at("sharedFiles")} builds one: keep one of them`,
        });
    } else {
      for (const key of ["server", "export"] as const)
        if (!s[key])
          errors.push({
            path: at(`sharedStorage.${key}`),
            message: `is required without ${at("sharedFiles")} (the external NFS server of the shared files)`,
          });
    }
    const id = webClusterStorageId(name, c);
    const taken = storages.get(id);
    if (taken)
      errors.push({
        path: at("sharedStorage.id"),
        message: `"${id}" is already ${taken}; each cluster needs a storage of its own`,
      });
    storages.set(id, at("sharedStorage.id"));
  }
  // A web cluster's keys are "<cluster>-<key>": they must not land on another tier's guest key.
  const byKey = new Map<string, GuestPlan[]>();
  for (const g of guests) byKey.set(g.key, [...(byKey.get(g.key) ?? []), g]);
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    for (const g of group.slice(1))
      errors.push({
        path: g.configPath,
        message: `its guest key "${g.key}" is also the key of ${group[0].configPath}; rename the cluster or the key`,
      });
  }
}
