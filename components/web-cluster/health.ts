/**
 * The page the balancer checks on a PHP app node: 200 only when PHP runs (php-fpm answered), the shared
 * files are really mounted (the marker the storage step wrote is visible) and the application's code is
 * in place. The database and Redis are not checked: their failure would take every node out at once.
 * Pure.
 */

function phpString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export function renderWebHealthPage(input: { sharedMarker: string; codeMarker: string }): string {
  return [
    "<?php // Balancer health check for this app node. Rendered by proxmox-sites.",
    "header('Content-Type: text/plain');",
    "header('Cache-Control: no-store');",
    "$problems = [];",
    `if (!is_file(${phpString(input.sharedMarker)})) {`,
    "    $problems[] = 'shared files are not mounted';",
    "}",
    `if (!file_exists(${phpString(input.codeMarker)})) {`,
    "    $problems[] = 'application code is missing';",
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
