/**
 * Builders for the tiers that are one LXC guest under one stack key (the print server, monitoring,
 * network services), and for the web applications among them that take a MariaDB account (and maybe a
 * Redis user) and publish one hostname through the tunnel (Passbolt, Snipe-IT, Frappe). The guest's key
 * is the tier's id, its stack path the stack key. Pure: no Pulumi import.
 */
import type { LxcGuestConfig } from "./guest";
import type { SiteConfig } from "./schema";
import { defineTier, lxcPlan, type NeedUse, type TierSpec } from "./tier-spec";

/** Stack keys whose value is one LXC guest. */
export type SingleGuestKey = {
  [K in keyof SiteConfig]-?: NonNullable<SiteConfig[K]> extends LxcGuestConfig ? K : never;
}[keyof SiteConfig];

/** Stack keys whose value is one LXC guest with a public hostname. */
export type PublishedAppKey = {
  [K in SingleGuestKey]-?: NonNullable<SiteConfig[K]> extends { publicHostname: string } ? K : never;
}[SingleGuestKey];

export interface SingleGuestTier<Id extends string, Key extends SingleGuestKey> extends Omit<
  TierSpec<Id>,
  "guests" | "stackKey"
> {
  stackKey: Key;
  /** The guest's role in the plan's tables. */
  role: string;
  /** Holds data that must survive (protected unless the stack says otherwise). */
  stateful: boolean;
}

/** A tier of one LXC guest, keyed by the tier's id, from the stack key's value when the stack has it. */
export function defineSingleGuestTier<const Id extends string, Key extends SingleGuestKey>(
  tier: SingleGuestTier<Id, Key>,
): TierSpec<Id> {
  const { role, stateful, ...spec } = tier;
  return defineTier({
    ...spec,
    guests(site) {
      const guest: LxcGuestConfig | undefined = site[tier.stackKey];
      return guest ? [lxcPlan(site, tier, tier.id, tier.stackKey, guest, role, stateful)] : [];
    },
  });
}

export interface PublishedAppTier<Id extends string> extends SingleGuestTier<Id, PublishedAppKey> {
  /** Port of the application's web server on its guest: the published hostname's origin. */
  port: number;
  /** What the published hostname is, for people (the tunnel's description). */
  description: string;
  /** Its MariaDB account: database and login. */
  database: string;
  /** Its Redis ACL user and profile, for an application that keeps state in Redis. */
  redis?: { account: string; kind: NonNullable<NeedUse["redisKind"]> };
}

/**
 * A web application on one guest: its account on the site's MariaDB (and Redis user), its
 * `publicHostname` published through the tunnel (public: the application has its own login).
 */
export function definePublishedAppTier<const Id extends string>(app: PublishedAppTier<Id>): TierSpec<Id> {
  const { port, description, database, redis, ...tier } = app;
  const by = () => ({ clients: [app.id], path: app.stackKey });
  return defineSingleGuestTier({
    ...tier,
    needs(site) {
      if (!site[app.stackKey]) return [];
      return [
        { need: "database", account: database, ...by() },
        ...(redis
          ? [{ need: "redis" as const, account: redis.account, redisKind: redis.kind, ...by() }]
          : []),
      ];
    },
    wire(t) {
      const guest = t.site[app.stackKey];
      if (!guest) return;
      t.publish({
        hostname: guest.publicHostname,
        target: app.id,
        origin: `http://${guest.ip}:${port}`,
        admin: false,
        description,
      });
    },
    publicNames: (site) => [
      { path: `${app.stackKey}.publicHostname`, name: site[app.stackKey]?.publicHostname },
    ],
  });
}
