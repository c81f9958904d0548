/** Where the monitoring guest keeps its files (Debian/Ubuntu package layout). */

/** Prometheus's main config (the Debian package's default --config.file). */
export const PROMETHEUS_CONFIG_PATH = "/etc/prometheus/prometheus.yml";
/** Directory of our rule files; prometheus.yml names it relative to itself (`rules/*.yml`). */
export const PROMETHEUS_RULES_DIR = "/etc/prometheus/rules";
/** The alert rules file we render. */
export const PROMETHEUS_RULES_PATH = `${PROMETHEUS_RULES_DIR}/proxmox-sites.yml`;
/** rule_files entry, relative to prometheus.yml's directory. */
export const PROMETHEUS_RULE_FILES_GLOB = "rules/*.yml";
/** Alertmanager's config (the Debian package's default --config.file). */
export const ALERTMANAGER_CONFIG_PATH = "/etc/prometheus/alertmanager.yml";
/** pve-exporter's module file (holds the API token value, readable by the prometheus user only). */
export const PVE_EXPORTER_CONFIG_PATH = "/etc/prometheus/pve.yml";
/** Virtual environment prometheus-pve-exporter is installed into (it is not packaged by Debian 12). */
export const PVE_EXPORTER_VENV = "/opt/prometheus-pve-exporter";
/** systemd unit we write for pve-exporter. */
export const PVE_EXPORTER_UNIT_PATH = "/etc/systemd/system/prometheus-pve-exporter.service";
/** Grafana's main config. */
export const GRAFANA_INI_PATH = "/etc/grafana/grafana.ini";
/** Grafana data source provisioning file. */
export const GRAFANA_DATASOURCE_PATH = "/etc/grafana/provisioning/datasources/proxmox-sites.yaml";
/** Grafana dashboard provider provisioning file. */
export const GRAFANA_DASHBOARD_PROVIDER_PATH = "/etc/grafana/provisioning/dashboards/proxmox-sites.yaml";
/** Directory the dashboard provider loads JSON dashboards from. */
export const GRAFANA_DASHBOARDS_DIR = "/var/lib/grafana/dashboards/proxmox-sites";
