import { resolve } from "node:path";
import { SiteConfigError } from "../../config/problems";
import { readStackFile } from "../../config/stack-file";
import { NEED_PROVIDER, TIER_NEEDS, type TierNeed } from "../../config/tier-needs";
import { validateSiteConfig } from "../../config/validate";

const root = resolve(__dirname, "../..");
type Raw = Record<string, unknown>;

/** A stack's values without some top-level keys. */
function without(stack: string, ...keys: string[]): Raw {
  const raw = structuredClone(readStackFile(root, stack).values) as Raw;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !keys.includes(k)));
}

function problemsOf(raw: Raw): string[] {
  try {
    validateSiteConfig("case", raw);
  } catch (err) {
    if (err instanceof SiteConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

const stackWith: Record<string, string> = {
  nextcloud: "prod",
  frappe: "prod",
  snipeIt: "prod",
  passbolt: "prod",
  moodle: "school",
};

const cases = Object.entries(TIER_NEEDS).flatMap(([tier, needs]) =>
  (needs ?? []).map((need) => [tier, need] as [string, TierNeed]),
);

describe("each tier's needs, from the one table", () => {
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
