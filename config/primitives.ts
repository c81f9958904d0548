import ipaddr from "ipaddr.js";
import { z } from "zod";
import { calendarEventProblem } from "./calendar-event";
import { NEXTCLOUD_ACCOUNT_PREFIX, NEXTCLOUD_KEY_MAX } from "./identifiers";
import { timeZoneProblem } from "./time-zone";

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

/** A string checked by a function that explains what is wrong (the message follows the value). */
function explained(problemOf: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/** An IANA time zone as the Proxmox node's tzdata names it (Asia/Jakarta, UTC, Etc/GMT-7). */
export const timeZone = explained(timeZoneProblem);

/** A schedule Proxmox's job scheduler parses (a subset of systemd's calendar events). */
export const calendarEvent = explained((value) => {
  const problem = calendarEventProblem(value);
  return problem && `is not a Proxmox calendar event: ${problem}`;
});

/**
 * Key of a Nextcloud instance: it names the guest (nextcloud-<key>) and the MariaDB database, MariaDB
 * user and Redis user nextcloud_<key>, so no hyphen and a length that keeps the user name short.
 */
export const nextcloudInstanceKey = z
  .string()
  .regex(new RegExp(`^[a-z][a-z0-9]{0,${NEXTCLOUD_KEY_MAX - 1}}$`), {
    message:
      `must be lower-case letters and digits, starting with a letter, at most ${NEXTCLOUD_KEY_MAX} characters: ` +
      `it names the MariaDB database and user ${NEXTCLOUD_ACCOUNT_PREFIX}<key>`,
  });

/** An OCI image name as registries accept it (lower case, optional registry host and port). */
export const CONTAINER_IMAGE_NAME = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
/** An OCI image tag (at most 128 characters, not starting with . or -). */
export const CONTAINER_IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Tags that move to new builds: a pinned deploy must name a release. */
const MOVING_TAG = /^(latest|main|master|develop|edge|nightly|stable|version-\d+)$/;

export const containerImageName = z.string().regex(CONTAINER_IMAGE_NAME, {
  message: "must be a container image name without tag, in lower case, such as ghcr.io/bowbo/erpnext-custom",
});

export const pinnedImageTag = z
  .string()
  .regex(CONTAINER_IMAGE_TAG, { message: "must be an image tag such as v15.40.0" })
  .refine((tag) => !MOVING_TAG.test(tag), {
    message: "is a moving tag (it changes under the same name): pin a release such as v15.40.0",
  });

/** An AdGuard Home upstream: an address, or a URL of one of its protocols (https://, tls://, quic://, …). */
export const ADGUARD_UPSTREAM = /^((tls|https|quic|sdns|h3|tcp|udp):\/\/)?[A-Za-z0-9.:[\]/_%@-]+$/;
