/**
 * The part of a PHP-FPM pool file every app tier writes the same way (Moodle's pool and the web
 * cluster's): the pool's name, user and socket, dynamic process management from a sizing, and the
 * request timeout. Each tier adds its own lines after it. Pure: no Pulumi import.
 */

/** How many workers a pool keeps (from the node's memory; see moodle/php-fpm.ts `phpFpmPoolSizing`). */
export interface PoolSizing {
  maxChildren: number;
  startServers: number;
  minSpareServers: number;
  maxSpareServers: number;
}

export interface FpmPoolHead {
  /** The first line's text after `; `. */
  comment: string;
  name: string;
  user: string;
  socketPath: string;
  sizing: PoolSizing;
  maxRequests: number;
  requestTimeoutSeconds: number;
}

/** The pool's lines from its comment to `catch_workers_output` (checked by the caller). */
export function fpmPoolHeadLines(head: FpmPoolHead): string[] {
  const s = head.sizing;
  return [
    `; ${head.comment}`,
    `[${head.name}]`,
    `user = ${head.user}`,
    `group = ${head.user}`,
    `listen = ${head.socketPath}`,
    `listen.owner = ${head.user}`,
    `listen.group = ${head.user}`,
    "listen.mode = 0660",
    "pm = dynamic",
    `pm.max_children = ${s.maxChildren}`,
    `pm.start_servers = ${s.startServers}`,
    `pm.min_spare_servers = ${s.minSpareServers}`,
    `pm.max_spare_servers = ${s.maxSpareServers}`,
    `pm.max_requests = ${head.maxRequests}`,
    `request_terminate_timeout = ${head.requestTimeoutSeconds}s`,
    "catch_workers_output = yes",
  ];
}
