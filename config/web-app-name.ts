/** The name of a web site's app, systemd unit and user on its guest, derived from its hostname. */
import { createHash } from "node:crypto";

const maxNameLength = 32;

/**
 * The app, unit and user name of a site: its hostname with dots as dashes (`www.bowbo.example` →
 * `www-bowbo-example`), prefixed with `site-` when it would start with a digit, and shortened with a
 * hash of the hostname past 32 characters (the longest user name every tool accepts).
 */
export function webAppName(hostname: string): string {
  const slug = hostname.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const name = /^[a-z]/.test(slug) ? slug : `site-${slug}`;
  if (name.length <= maxNameLength) return name;
  const hash = createHash("sha256").update(hostname).digest("hex").slice(0, 8);
  return `${name.slice(0, maxNameLength - 9).replace(/-+$/, "")}-${hash}`;
}
