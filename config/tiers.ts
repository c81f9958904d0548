/**
 * Every tier the program knows, in one ordered list: the inventory, the service graph, the tier
 * cross-checks, the database and Redis requests and the Site's composition loop over it. Each tier's
 * `spec.ts` sits in its folder beside its component; adding a tier is a folder and a line here (and
 * its `create` in `components/site/tiers.ts`).
 *
 * A tier's spec is part of the config layer (pure, imports only `config/`), so this list can live
 * here without `config/` importing a component.
 */
import { databaseTier } from "../components/database/spec";
import { frappeTier } from "../components/frappe/spec";
import { monitoringTier } from "../components/monitoring/spec";
import { moodleTier } from "../components/moodle/spec";
import { networkServicesTier } from "../components/network-services/spec";
import { nextcloudTier } from "../components/nextcloud/spec";
import { passboltTier } from "../components/passbolt/spec";
import { printServerTier } from "../components/print-server/spec";
import { redisTier } from "../components/redis/spec";
import { snipeItTier } from "../components/snipeit/spec";
import { webClusterTier } from "../components/web-cluster/spec";
import { webAppsTier } from "../components/webapps/spec";
import { windowsGpuTier } from "../components/windows/spec";

/** In the order the plan lists their problems, published names and services. */
export const TIERS = [
  databaseTier,
  redisTier,
  nextcloudTier,
  frappeTier,
  snipeItTier,
  passboltTier,
  printServerTier,
  webAppsTier,
  monitoringTier,
  networkServicesTier,
  moodleTier,
  webClusterTier,
  windowsGpuTier,
] as const;

/** A tier's id, as `GuestPlan.tier` carries it. */
export type Tier = (typeof TIERS)[number]["id"];
