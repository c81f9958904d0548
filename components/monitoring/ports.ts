/**
 * Default ports of the monitoring tier. The firewall work reads these: who scrapes whom is the
 * monitoring guest → every guest's exporter port, and → the Proxmox host (node_exporter and API).
 */
import type { ExporterJob } from "./types";

/** prometheus-node-exporter, on every guest and on the Proxmox host. */
export const NODE_EXPORTER_PORT = 9100;
/** prometheus-mysqld-exporter, on the database guests. */
export const MYSQLD_EXPORTER_PORT = 9104;
/** prometheus-redis-exporter, on the Redis guest. */
export const REDIS_EXPORTER_PORT = 9121;
/** HAProxy's built-in Prometheus exporter frontend (`use-service prometheus-exporter`). */
export const HAPROXY_EXPORTER_PORT = 8405;
/** prometheus-pve-exporter, on the monitoring guest, bound to loopback. */
export const PVE_EXPORTER_PORT = 9221;
/** Proxmox VE API; pve-exporter connects to it on the host. */
export const PVE_API_PORT = 8006;
/** Prometheus, bound to loopback on the monitoring guest (Grafana reads it locally). */
export const PROMETHEUS_PORT = 9090;
/** Alertmanager, bound to loopback on the monitoring guest. */
export const ALERTMANAGER_PORT = 9093;
/** Grafana, reached from the tunnel guest (and the LAN if the firewall allows). */
export const GRAFANA_PORT = 3000;

/** The port each exporter kind is scraped on; for "proxmox" the API port pve-exporter uses. */
export const EXPORTER_PORTS: Readonly<Record<ExporterJob, number>> = {
  node: NODE_EXPORTER_PORT,
  mysqld: MYSQLD_EXPORTER_PORT,
  redis: REDIS_EXPORTER_PORT,
  haproxy: HAPROXY_EXPORTER_PORT,
  proxmox: PVE_API_PORT,
};
