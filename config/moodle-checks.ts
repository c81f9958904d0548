import { servicesBrokenByOneNode } from "./failure-domains";
import type { GuestPlan } from "./inventory";
import type { ConfigProblem } from "./problems";
import { siteServices } from "./resilience";
import type { SiteConfig } from "./schema";
import { checkFilesNode } from "./shared-files-checks";

/**
 * The shared moodledata comes from one NFS storage of the cluster: served by the sharedFiles node, or by
 * an external NAS named in sharedStorage (server and export), never both.
 */
export function checkMoodleSharedStorage(site: SiteConfig, errors: ConfigProblem[]): void {
  const m = site.moodle;
  if (!m) return;
  const s = m.sharedStorage;
  if (m.sharedFiles) {
    checkFilesNode(site, "moodle.sharedFiles", m.sharedFiles, errors);
    if (s.server)
      errors.push({
        path: "moodle.sharedStorage.server",
        message: `${s.server} names an external NFS server, but moodle.sharedFiles builds one: keep one of them`,
      });
  } else {
    for (const key of ["server", "export"] as const) {
      if (!s[key])
        errors.push({
          path: `moodle.sharedStorage.${key}`,
          message:
            "is required without moodle.sharedFiles (the external NFS server of the shared moodledata)",
        });
    }
  }
  // The program registers this storage itself: it must not be one the stack says already exists.
  const { additional, ...roles } = site.proxmox.storage;
  const named: [string, string][] = [
    ...Object.entries(roles),
    ...additional.map((a): [string, string] => ["additional", a]),
  ];
  for (const [i, storage] of named) {
    if (storage === s.id)
      errors.push({
        path: "moodle.sharedStorage.id",
        message: `"${s.id}" is already proxmox.storage.${i}; the shared moodledata needs a storage of its own`,
      });
  }
}

/**
 * On a cluster of several nodes, losing any one node must leave a balancer and an app node running:
 * no two balancers on one node, not every app node on one node, and no node whose loss alone stops
 * either service (e.g. a single balancer). A single-node stack has no choice (the plan lists its node
 * as the single point of failure).
 */
export function checkMoodlePlacement(
  site: SiteConfig,
  guests: readonly GuestPlan[],
  errors: ConfigProblem[],
): void {
  const m = site.moodle;
  const nodes = site.proxmox.nodes.map((n) => n.name);
  if (!m || nodes.length < 2) return;
  const nodeOf = new Map(guests.map((g) => [g.key, g.node]));
  const lbKeys = Object.keys(m.loadBalancers).sort();
  const appKeys = Object.keys(m.nodes).sort();
  const reported = new Set<string>();
  const firstOnNode = new Map<string, string>();
  for (const k of lbKeys) {
    const node = nodeOf.get(`moodle-${k}`)!;
    const other = firstOnNode.get(node);
    if (other === undefined) firstOnNode.set(node, k);
    else {
      errors.push({
        path: `moodle.loadBalancers.${k}.node`,
        message: `runs on ${node} like moodle.loadBalancers.${other}: losing that node stops both balancers; place them on different nodes`,
      });
      reported.add("moodle-balancers");
    }
  }
  const appNodes = new Set(appKeys.map((k) => nodeOf.get(`moodle-${k}`)!));
  if (appKeys.length > 1 && appNodes.size === 1) {
    errors.push({
      path: "moodle.nodes",
      message: `every app node (${appKeys.join(", ")}) runs on ${[...appNodes][0]}: losing it stops Moodle; spread them over the nodes`,
    });
    reported.add("moodle-app-nodes");
  }
  const services = siteServices(site, guests).filter(
    (s) => s.id === "moodle-balancers" || s.id === "moodle-app-nodes",
  );
  for (const broken of servicesBrokenByOneNode(nodes, services)) {
    if (reported.has(broken.id)) continue;
    const balancers = broken.id === "moodle-balancers";
    errors.push({
      path: balancers ? "moodle.loadBalancers" : "moodle.nodes",
      message: `losing ${broken.nodes.join(" or ")} leaves no ${balancers ? "balancer" : "app node"} (${(balancers ? lbKeys : appKeys).join(", ")}); add one on another node`,
    });
  }
}
