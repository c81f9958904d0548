import type { TierContext } from "./context";

/** Addresses of the guests running cloudflared: the only proxies an origin trusts. */
export function trustedProxies(ctx: TierContext): string[] {
  const keys = ctx.site.tunnel?.connectorGuests ?? [];
  return ctx.wiring.guests.filter((g) => keys.includes(g.key)).map((g) => g.ip);
}
