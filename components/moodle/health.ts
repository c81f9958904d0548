/**
 * The page the balancer checks on every app node. It answers 200 only when this node can serve Moodle on
 * its own: PHP runs (php-fpm answered), the shared dataroot is really mounted (the marker file the NFS
 * server created is visible) and config.php is in place. Shared services (database, Redis) are not
 * checked: their failure would take every node out at once and turn a partial outage into a full one.
 * Pure.
 */
import { type MoodleLayout, sharedMarkerFile } from "./layout";
import { renderHealthChecks } from "../web-cluster/health";

/** `<healthDir>/health.php`. */
export function renderHealthPage(l: MoodleLayout): string {
  return renderHealthChecks("this Moodle node", [
    { test: "is_file", path: `${l.dataRoot}/${sharedMarkerFile}`, problem: "shared dataroot is not mounted" },
    { test: "is_readable", path: `${l.codeDir}/config.php`, problem: "config.php is missing" },
  ]);
}
