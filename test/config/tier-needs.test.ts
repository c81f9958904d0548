import { resolve } from "node:path";
import { readStackFile } from "../../config/stack-file";
import { NEED_PROVIDER, type TierNeed } from "../../config/tier-needs";
import { TIERS } from "../../config/tiers";
import { opensPort } from "../../config/service-edge";
import { siteNeeds, siteWiring } from "../../config/wiring";
import { PORTS } from "../../config/ports";
import { validateSiteConfig } from "../../config/validate";
import { problemsOf } from "./fixtures/validation";

const root = resolve(__dirname, "../..");
type Raw = Record<string, unknown>;

/** A stack's values without some top-level keys. */
function without(stack: string, ...keys: string[]): Raw {
  const raw = structuredClone(readStackFile(root, stack).values) as Raw;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !keys.includes(k)));
}

const stackWith: Record<string, string> = {
  nextcloud: "prod",
  frappe: "prod",
  snipeIt: "prod",
  passbolt: "prod",
  moodle: "school",
};

/** Every (tier stack key, need) the tiers declare on the stack that lists the tier. */
const cases = [
  ...new Set(
    Object.entries(stackWith).flatMap(([tier, stack]) => {
      const site = validateSiteConfig(stack, readStackFile(root, stack).values).config;
      const spec = TIERS.find((t) => t.stackKey === tier)!;
      return (spec.needs?.(site) ?? []).map((use) => `${tier}|${use.need}`);
    }),
  ),
].map((c) => c.split("|") as [string, TierNeed]);
describe("each tier's needs, declared in its spec", () => {
  it("cover the tiers that take a database or Redis endpoint", () => {
    expect(cases).toEqual(
      expect.arrayContaining([
        ["nextcloud", "database"],
        ["nextcloud", "redis"],
        ["frappe", "redis"],
        ["moodle", "redis"],
        ["snipeIt", "database"],
      ]),
    );
  });

  it.each(cases)("%s without its %s tier is refused at the tier's key", (tier, need) => {
    const raw = without(stackWith[tier], NEED_PROVIDER[need]);
    expect(problemsOf(raw)).toContain(`${tier}: needs a ${need} tier: add the ${NEED_PROVIDER[need]} key`);
  });

  it("a stack with Nextcloud and no Redis names Nextcloud (it used to pass validation and crash in the component)", () => {
    const raw = without("prod", "redis", "frappe");
    expect(problemsOf(raw)).toEqual(["nextcloud: needs a redis tier: add the redis key"]);
  });

  it("tiers that need only the database validate without Redis", () => {
    const raw = without("prod", "redis", "frappe", "nextcloud");
    expect(problemsOf(raw)).toEqual([]);
  });
});

describe("the service graph and validation read the same needs", () => {
  const provider: Record<TierNeed, { guest: string; port: number; purpose: string }> = {
    database: { guest: "database-primary", port: PORTS.mariadb, purpose: "application database" },
    redis: { guest: "redis", port: PORTS.redis, purpose: "cache, locks and sessions" },
  };
  it.each(["prod", "staging", "school"])(
    "%s: the guests the graph lets reach the database and Redis are exactly the declared clients",
    (stack) => {
      const site = validateSiteConfig(stack, readStackFile(root, stack).values).config;
      const { edges } = siteWiring(site);
      for (const need of ["database", "redis"] as const) {
        const p = provider[need];
        const wired = edges
          .filter((e) => e.to === p.guest && opensPort(e, p.port) && e.purpose === p.purpose)
          .map((e) => ("guest" in e.from ? e.from.guest : e.from.label))
          .sort();
        const declared = [
          ...new Set(
            siteNeeds(site)
              .filter((u) => u.need === need)
              .flatMap((u) => u.clients),
          ),
        ].sort();
        expect(wired).toEqual(declared);
      }
    },
  );
});
