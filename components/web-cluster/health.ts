/**
 * The page the balancer checks on an app node: 200 only when PHP runs (php-fpm answered) and every
 * node-local check holds (the shared files really mounted, the application's code in place). Shared
 * services (database, Redis) are never checked: their failure would take every node out at once and
 * turn a partial outage into a full one. Pure.
 */
import { phpString } from "../proxmox/php-string";

/** One condition of the page: a PHP function applied to a path, and what to report when it is false. */
export interface HealthCheck {
  test: "is_file" | "file_exists" | "is_readable";
  path: string;
  problem: string;
}

/** The health page of `subject` (named in its header comment) with these checks, in order. */
export function renderHealthChecks(subject: string, checks: readonly HealthCheck[]): string {
  return [
    `<?php // Balancer health check for ${subject}. Rendered by proxmox-sites.`,
    "header('Content-Type: text/plain');",
    "header('Cache-Control: no-store');",
    "$problems = [];",
    ...checks.flatMap((c) => [
      `if (!${c.test}(${phpString(c.path)})) {`,
      `    $problems[] = ${phpString(c.problem)};`,
      "}",
    ]),
    "if ($problems) {",
    "    http_response_code(503);",
    '    echo implode("\\n", $problems), "\\n";',
    "    exit;",
    "}",
    'echo "ok\\n";',
    "",
  ].join("\n");
}

export function renderWebHealthPage(input: { sharedMarker: string; codeMarker: string }): string {
  return renderHealthChecks("this app node", [
    { test: "is_file", path: input.sharedMarker, problem: "shared files are not mounted" },
    { test: "file_exists", path: input.codeMarker, problem: "application code is missing" },
  ]);
}
