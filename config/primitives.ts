import ipaddr from "ipaddr.js";
import { z } from "zod";

/** Proxmox accepts guest IDs from 100 to 999999999. */
export const VMID_MIN = 100;
export const VMID_MAX = 999_999_999;

export const vmid = z
  .number()
  .int()
  .min(VMID_MIN, { message: `must be a whole number from ${VMID_MIN} to ${VMID_MAX} (Proxmox's VMID range)` })
  .max(VMID_MAX, {
    message: `must be a whole number from ${VMID_MIN} to ${VMID_MAX} (Proxmox's VMID range)`,
  });

/** RFC 1123 host label: what Proxmox accepts as a guest hostname. */
export const hostLabel = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  message: "must be a hostname label: lower-case letters, digits and inner hyphens, at most 63 characters",
});

/** A fully qualified DNS name such as cloud.example.com. */
export const dnsName = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  message: "must be a lower-case DNS name such as cloud.example.com",
});

export const ipv4 = z.string().refine((v) => ipaddr.IPv4.isValidFourPartDecimal(v), {
  message: "must be an IPv4 address in dotted-quad form such as 192.168.0.10",
});

export const cidrv4 = z.string().refine(
  (v) => {
    try {
      const [addr, len] = ipaddr.IPv4.parseCIDR(v);
      return ipaddr.IPv4.isValidFourPartDecimal(addr.toString()) && len >= 0 && len <= 32;
    } catch {
      return false;
    }
  },
  { message: "must be an IPv4 network in CIDR form such as 192.168.0.0/24" },
);

/** PCI address as Proxmox and lspci write it: domain:bus:device.function, e.g. 0000:01:00.0. */
export const pciAddress = z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$/, {
  message: "must be a PCI address such as 0000:01:00.0 (lower-case hex domain:bus:device.function)",
});

/** PCI vendor:device id pair, e.g. 10de:2684. */
export const pciId = z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/, {
  message: "must be a PCI vendor:device id such as 10de:2684 (lower-case hex)",
});

export const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: "must be an e-mail address" });

/** Proxmox storage identifiers (local, local-lvm, backups, …). */
export const storageId = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.-]*$/, {
  message: "must be a Proxmox storage id such as local-lvm",
});

/** Keys of maps that become logical resource names. */
export const configKey = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, {
  message: "must be a key of lower-case letters, digits and hyphens starting with a letter",
});

export const positiveInt = z.number().int().positive();
