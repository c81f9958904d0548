/**
 * Small checks shared by the web, Frappe and network-services renderers: each returns a problem message or
 * nothing, so callers can collect every problem before throwing once. Pure: no Pulumi import.
 */
import ipaddr from "ipaddr.js";

const dnsName = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** True for a dotted-quad IPv4 or an IPv6 address (not the odd forms `ipaddr.isValid` also takes). */
export function isIpAddress(value: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(value) || ipaddr.IPv6.isValid(value);
}

/** True for an IPv4 or IPv6 CIDR such as `192.168.0.0/24`. */
export function isCidr(value: string): boolean {
  return ipaddr.IPv4.isValidCIDRFourPartDecimal(value) || ipaddr.IPv6.isValidCIDR(value);
}

/** True for a lower-case DNS name (`erp.bowbo.co.id`, `frontend`). */
export function isDnsName(value: string): boolean {
  return dnsName.test(value);
}

/** Problem text when `value` is not a TCP/UDP port. */
export function portProblem(path: string, value: number): string | undefined {
  return Number.isInteger(value) && value >= 1 && value <= 65535
    ? undefined
    : `${path}: ${value} is not a port 1-65535`;
}

/** Problem text when `value` is not an IP address. */
export function ipProblem(path: string, value: string): string | undefined {
  return isIpAddress(value) ? undefined : `${path}: ${value} is not an IP address`;
}

/** Problem text when `value` is neither an IP address nor a CIDR. */
export function ipOrCidrProblem(path: string, value: string): string | undefined {
  return isIpAddress(value) || isCidr(value)
    ? undefined
    : `${path}: ${value} is neither an IP address nor a CIDR`;
}

/** Problem text when `value` is neither an IP address nor a DNS name. */
export function hostProblem(path: string, value: string): string | undefined {
  return isIpAddress(value) || isDnsName(value)
    ? undefined
    : `${path}: ${value} is neither an IP address nor a host name`;
}

/** Problem text when `value` is not a positive integer. */
export function positiveIntegerProblem(path: string, value: number): string | undefined {
  return Number.isInteger(value) && value > 0 ? undefined : `${path}: ${value} must be a positive integer`;
}

/** Problem text when `value` is not an absolute path made of safe characters (no spaces or quotes). */
export function absolutePathProblem(path: string, value: string): string | undefined {
  return /^\/[A-Za-z0-9._/-]*$/.test(value) && !value.split("/").includes("..")
    ? undefined
    : `${path}: ${value} is not an absolute path of letters, digits, '.', '_', '-' and '/'`;
}
