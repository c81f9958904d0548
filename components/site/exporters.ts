/**
 * The exporters the monitoring tier renders for the data tiers' guests, grouped by the tier that owns
 * each guest and installs it there.
 */
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../config/ports";
import type { SiteWiring } from "../../config/wiring";
import type { ExporterInstall } from "../core/handed-steps";
import { MONITORING_TYPE } from "../monitoring";
import { exporterStepsFor, type ExporterSecretSource } from "../monitoring/site-input";

/** The name the Site gives the monitoring component: the exporters were its children before. */
export const MONITORING_NAME = "monitoring";

/** One exporter install per mysqld or redis target of the wiring, for the database or the Redis tier. */
export function exporterInstalls(
  wiring: SiteWiring,
  site: pulumi.Resource,
): Record<ExporterSecretSource, ExporterInstall[]> {
  const formerParent = pulumi.createUrn(MONITORING_NAME, MONITORING_TYPE, site);
  const byOwner: Record<ExporterSecretSource, ExporterInstall[]> = { database: [], redis: [] };
  for (const s of exporterStepsFor(wiring.scrapeTargets, PORTS.redis))
    byOwner[s.source].push({
      guest: s.guest,
      job: s.job,
      script: s.script,
      passwordEnv: s.secretEnv,
      formerParent,
    });
  return byOwner;
}
