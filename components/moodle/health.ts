/**
 * The page the balancer checks on every app node. It answers 200 only when this node can serve Moodle on
 * its own: PHP runs (php-fpm answered), the shared dataroot is really mounted (the marker file the NFS
 * server created is visible) and config.php is in place. Shared services (database, Redis) are not
 * checked: their failure would take every node out at once and turn a partial outage into a full one.
 * Pure.
 */
import { MoodleLayout, resolveLayout, sharedMarkerFile } from "./layout";
import { phpString } from "./config-php";

/** `<healthDir>/health.php`. */
export function renderHealthPage(layout: Partial<MoodleLayout> = {}): string {
  const l = resolveLayout(layout);
  return [
    "<?php // Balancer health check for this Moodle node. Rendered by proxmox-sites.",
    "header('Content-Type: text/plain');",
    "header('Cache-Control: no-store');",
    "$problems = [];",
    `if (!is_file(${phpString(`${l.dataRoot}/${sharedMarkerFile}`)})) {`,
    "    $problems[] = 'shared dataroot is not mounted';",
    "}",
    `if (!is_readable(${phpString(`${l.codeDir}/config.php`)})) {`,
    "    $problems[] = 'config.php is missing';",
    "}",
    "if ($problems) {",
    "    http_response_code(503);",
    '    echo implode("\\n", $problems), "\\n";',
    "    exit;",
    "}",
    'echo "ok\\n";',
    "",
  ].join("\n");
}
