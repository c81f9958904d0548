/**
 * Small input predicates every renderer of a web cluster (and its Moodle flavour) uses with `Problems`
 * (components/proxmox/problems.ts). Pure.
 */

/** True for a dotted-quad IPv4 address. */
export function isIpv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** True for a TCP port number. */
export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** True for a name usable as an HAProxy server name, keepalived id or file name (config keys). */
export function isSafeName(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(value);
}

/** True for a host name (a DNS name, no scheme, no port). */
export function isHostName(value: string): boolean {
  return /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
    value,
  );
}
