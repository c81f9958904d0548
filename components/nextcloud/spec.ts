/** The Nextcloud tier: one guest per instance (`nextcloud.<name>`), each with its database and Redis user. */
import { nextcloudAccountName } from "../../config/identifiers";
import { PORTS } from "../../config/ports";
import { defineTier, lxcPlan } from "../../config/tier-spec";

const guestKey = (instance: string) => `nextcloud-${instance}`;

export const nextcloudTier = defineTier({
  id: "nextcloud",
  stackKey: "nextcloud",
  defaultTemplate: "turnkey-nextcloud",
  guests(site) {
    return Object.entries(site.nextcloud ?? {}).map(([name, nc]) =>
      lxcPlan(site, this, guestKey(name), `nextcloud.${name}`, nc, `Nextcloud (${name})`, true),
    );
  },
  // Accounts and data in MariaDB; file locking, distributed and local cache in Redis.
  needs(site) {
    return Object.keys(site.nextcloud ?? {})
      .sort()
      .flatMap((name) => [
        {
          need: "database" as const,
          account: nextcloudAccountName(name),
          clients: [guestKey(name)],
          path: "nextcloud",
        },
        {
          need: "redis" as const,
          account: nextcloudAccountName(name),
          redisKind: "nextcloud" as const,
          clients: [guestKey(name)],
          path: "nextcloud",
        },
      ]);
  },
  wire(t) {
    for (const [name, nc] of Object.entries(t.site.nextcloud ?? {})) {
      t.publish({
        hostname: nc.publicHostname,
        target: guestKey(name),
        origin: `http://${nc.ip}:${PORTS.http}`,
        admin: false,
        description: `Nextcloud ${name}`,
      });
    }
  },
  publicNames(site) {
    return Object.entries(site.nextcloud ?? {}).map(([k, nc]) => ({
      path: `nextcloud.${k}.publicHostname`,
      name: nc.publicHostname,
    }));
  },
});
