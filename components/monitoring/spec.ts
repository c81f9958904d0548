/**
 * The monitoring tier: Prometheus, Alertmanager and Grafana on one guest. It scrapes every Proxmox node
 * (node exporter, PVE API), every LXC guest's node exporter and the exporters the other tiers declare
 * (the `scrapeTargets` of their specs).
 */
import { PORTS } from "../../config/ports";
import { defineSingleGuestTier } from "../../config/single-guest-tier";
import type { ScrapeTarget } from "../../config/tier-spec";

export const monitoringTier = defineSingleGuestTier({
  id: "monitoring",
  stackKey: "monitoring",
  defaultTemplate: "debian-12",
  role: "Prometheus, Alertmanager, Grafana",
  stateful: false,
  /** Each node's exporter and PVE API, each LXC guest's node exporter, then the tiers' own exporters. */
  scrapes(site, guests, exporters) {
    if (!site.monitoring) return [];
    const targets: ScrapeTarget[] = [];
    for (const node of site.proxmox.nodes) {
      const target = `host:${node.name}`;
      targets.push({
        job: "node",
        instance: node.name,
        address: node.address,
        port: PORTS.nodeExporter,
        target,
      });
      targets.push({
        job: "proxmox",
        instance: node.name,
        address: node.address,
        port: PORTS.proxmoxUi,
        target,
      });
    }
    for (const g of guests.filter((x) => x.kind === "lxc"))
      targets.push({
        job: "node",
        instance: g.hostname,
        address: g.ip,
        port: PORTS.nodeExporter,
        target: g.key,
      });
    return [...targets, ...exporters];
  },
  wire(t) {
    const mon = t.site.monitoring;
    if (!mon) return;
    for (const s of t.scrapeTargets) {
      if (s.target === "monitoring") continue;
      // A node's firewall rule carries the purpose as its comment, so it names the source.
      const from = s.target.startsWith("host:") ? " from monitoring" : "";
      t.tcp({ guest: "monitoring" }, s.target, s.port, `metrics (${s.job})${from}`);
    }
    t.tcp(t.admins, "monitoring", PORTS.grafana, "Grafana");
    t.tcp(t.admins, "monitoring", PORTS.prometheus, "Prometheus UI");
    if (mon.grafanaHostname) {
      t.publish({
        hostname: mon.grafanaHostname,
        target: "monitoring",
        origin: `http://${mon.ip}:${PORTS.grafana}`,
        admin: true,
        description: "Grafana",
      });
    }
  },
  publicNames: (site) => [{ path: "monitoring.grafanaHostname", name: site.monitoring?.grafanaHostname }],
});
