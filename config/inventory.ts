import type { LxcGuestConfig } from "./guest";
import type { SiteConfig } from "./schema";
import { tierDefaultTemplate } from "./templates";

export type Tier =
  | "database"
  | "redis"
  | "nextcloud"
  | "frappe"
  | "snipe-it"
  | "passbolt"
  | "print-server"
  | "web"
  | "monitoring"
  | "network-services"
  | "moodle"
  | "web-cluster"
  | "windows-gpu";

/** One guest of the site as the plan, the checks and the components see it. */
export interface GuestPlan {
  /** Stable logical name, e.g. nextcloud-bowbo; also the resource name. */
  key: string;
  tier: Tier;
  kind: "lxc" | "vm";
  /** Where the guest is defined in the stack file, for error messages. */
  configPath: string;
  vmid: number;
  hostname: string;
  ip: string;
  cores: number;
  memoryMb: number;
  diskGb: number;
  /** Node name; the first node when the stack does not say. */
  node: string;
  priority: "high" | "medium" | "low";
  role: string;
  /** Holds data that must survive: protected unless the stack says otherwise. */
  stateful: boolean;
  /** Template key of an LXC guest. */
  template?: string;
  swapMb?: number;
  /** Root-disk storage when the stack overrides proxmox.storage.rootfs. */
  storage?: string;
  startupOrder?: number;
  /** Managed by Proxmox HA (restarted or moved when its node fails). */
  ha: boolean;
}

function lxc(
  site: SiteConfig,
  key: string,
  tier: Tier,
  configPath: string,
  guest: LxcGuestConfig,
  role: string,
  stateful: boolean,
): GuestPlan {
  return {
    key,
    tier,
    kind: "lxc",
    configPath,
    vmid: guest.vmid,
    hostname: guest.hostname,
    ip: guest.ip,
    cores: guest.cores,
    memoryMb: guest.memoryMb,
    diskGb: guest.diskGb,
    node: guest.node ?? site.proxmox.nodes[0].name,
    priority: guest.priority,
    role,
    stateful: guest.protect ?? (stateful && site.protectStateful),
    template: guest.template ?? tierDefaultTemplate[tier],
    swapMb: guest.swapMb,
    storage: guest.storage,
    startupOrder: guest.startupOrder,
    ha: guest.ha,
  };
}

/**
 * Guest key of a web cluster's balancer, app node or shared-files guest (`files`): the cluster's name and
 * the key under `loadBalancers`/`nodes`, e.g. `portal-lb1`, `portal-app2`, `portal-files`. Tunnel
 * connectors and firewall rules name guests by these keys.
 */
export function webClusterGuestKey(cluster: string, key: string): string {
  return `${cluster}-${key}`;
}

/** Every guest the stack builds, in a stable order (by VMID). */
export function guestInventory(site: SiteConfig): GuestPlan[] {
  const guests: GuestPlan[] = [];
  if (site.database) {
    guests.push(
      lxc(
        site,
        "database-primary",
        "database",
        "database.primary",
        site.database.primary,
        "MariaDB primary",
        true,
      ),
    );
    if (site.database.replica) {
      guests.push(
        lxc(
          site,
          "database-replica",
          "database",
          "database.replica",
          site.database.replica,
          "MariaDB async replica",
          true,
        ),
      );
    }
  }
  if (site.redis)
    guests.push(lxc(site, "redis", "redis", "redis", site.redis, "Redis cache, queues and sessions", false));
  for (const [name, nc] of Object.entries(site.nextcloud ?? {})) {
    guests.push(
      lxc(site, `nextcloud-${name}`, "nextcloud", `nextcloud.${name}`, nc, `Nextcloud (${name})`, true),
    );
  }
  if (site.frappe)
    guests.push(lxc(site, "frappe", "frappe", "frappe", site.frappe, "ERPNext on Frappe (Docker)", true));
  if (site.snipeIt)
    guests.push(
      lxc(site, "snipe-it", "snipe-it", "snipeIt", site.snipeIt, "Snipe-IT asset management", false),
    );
  if (site.passbolt)
    guests.push(
      lxc(site, "passbolt", "passbolt", "passbolt", site.passbolt, "Passbolt password manager", true),
    );
  if (site.printServer)
    guests.push(
      lxc(
        site,
        "print-server",
        "print-server",
        "printServer",
        site.printServer,
        "Print server (CUPS, shared by Samba)",
        false,
      ),
    );
  if (site.webApps) {
    guests.push(
      lxc(
        site,
        "frontend",
        "web",
        "webApps.frontend",
        site.webApps.frontend,
        "Web frontend (Node.js + nginx)",
        false,
      ),
    );
    guests.push(
      lxc(
        site,
        "backend",
        "web",
        "webApps.backend",
        site.webApps.backend,
        "Web backend APIs (Node.js + nginx)",
        false,
      ),
    );
  }
  if (site.networkServices) {
    guests.push(
      lxc(
        site,
        "network-services",
        "network-services",
        "networkServices",
        site.networkServices,
        "AdGuard Home DNS, cloudflared",
        false,
      ),
    );
  }
  if (site.monitoring) {
    guests.push(
      lxc(
        site,
        "monitoring",
        "monitoring",
        "monitoring",
        site.monitoring,
        "Prometheus, Alertmanager, Grafana",
        false,
      ),
    );
  }
  if (site.moodle) {
    for (const [name, lb] of Object.entries(site.moodle.loadBalancers)) {
      guests.push(
        lxc(
          site,
          `moodle-${name}`,
          "moodle",
          `moodle.loadBalancers.${name}`,
          lb,
          "HAProxy load balancer",
          false,
        ),
      );
    }
    for (const [name, node] of Object.entries(site.moodle.nodes)) {
      guests.push(
        lxc(site, `moodle-${name}`, "moodle", `moodle.nodes.${name}`, node, "Moodle app node", false),
      );
    }
  }
  for (const [cluster, c] of Object.entries(site.webClusters ?? {})) {
    const path = `webClusters.${cluster}`;
    for (const [k, lb] of Object.entries(c.loadBalancers))
      guests.push(
        lxc(
          site,
          webClusterGuestKey(cluster, k),
          "web-cluster",
          `${path}.loadBalancers.${k}`,
          lb,
          `HAProxy load balancer (${cluster})`,
          false,
        ),
      );
    for (const [k, node] of Object.entries(c.nodes))
      guests.push(
        lxc(
          site,
          webClusterGuestKey(cluster, k),
          "web-cluster",
          `${path}.nodes.${k}`,
          node,
          `App node (${cluster}, ${c.runtime.kind === "php" ? "nginx + PHP-FPM" : "nginx + Node.js"})`,
          false,
        ),
      );
  }
  if (site.windowsGpu) {
    const vm = site.windowsGpu;
    guests.push({
      key: "windows-gpu",
      tier: "windows-gpu",
      kind: "vm",
      configPath: "windowsGpu",
      vmid: vm.vmid,
      hostname: vm.name,
      ip: vm.ip,
      cores: vm.cores,
      memoryMb: vm.memoryMb,
      diskGb: vm.diskGb,
      node: vm.node ?? site.proxmox.nodes[0].name,
      priority: "low",
      role: "Windows 11 render workstation (GPU passthrough)",
      stateful: vm.protect ?? site.protectStateful,
      storage: vm.storage,
      // Passthrough pins the VM to the node that holds its GPU.
      ha: false,
    });
  }
  return guests.sort((a, b) => a.vmid - b.vmid);
}
