import type { z } from "zod";
import type { templateSchema } from "./platform-schema";

export type TemplateConfig = z.infer<typeof templateSchema>;

/**
 * OS templates the tiers use unless a stack overrides them under `templates:`. Versioned
 * names so an upstream change never alters a guest silently. Digests are not shipped here:
 * a stack sets `checksum` from the publisher's index (pveam's aplinfo or TurnKey's .hash)
 * and the plan warns while one is missing.
 */
export const defaultTemplates: Record<string, TemplateConfig> = {
  "ubuntu-22-04": {
    url: "https://download.proxmox.com/images/system/ubuntu-22.04-standard_22.04-1_amd64.tar.zst",
    fileName: "ubuntu-22.04-standard_22.04-1_amd64.tar.zst",
    checksumAlgorithm: "sha512",
    osType: "ubuntu",
  },
  "debian-12": {
    url: "https://download.proxmox.com/images/system/debian-12-standard_12.7-1_amd64.tar.zst",
    fileName: "debian-12-standard_12.7-1_amd64.tar.zst",
    checksumAlgorithm: "sha512",
    osType: "debian",
  },
  "turnkey-nextcloud": {
    url: "https://mirror.turnkeylinux.org/turnkeylinux/images/proxmox/debian-12-turnkey-nextcloud_18.1-1_amd64.tar.gz",
    fileName: "debian-12-turnkey-nextcloud_18.1-1_amd64.tar.gz",
    checksumAlgorithm: "sha256",
    osType: "debian",
  },
  "turnkey-snipeit": {
    url: "https://mirror.turnkeylinux.org/turnkeylinux/images/proxmox/debian-12-turnkey-snipeit_18.0-1_amd64.tar.gz",
    fileName: "debian-12-turnkey-snipeit_18.0-1_amd64.tar.gz",
    checksumAlgorithm: "sha256",
    osType: "debian",
  },
};

/** The stack's templates: the defaults overlaid with the stack's own entries. */
export function siteTemplates(
  stackTemplates: Record<string, TemplateConfig>,
): Record<string, TemplateConfig> {
  return { ...defaultTemplates, ...stackTemplates };
}
