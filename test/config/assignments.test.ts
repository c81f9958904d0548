import { nextcloudRedisDatabases, primaryBalancerKey } from "../../config/assignments";
import { validateSiteConfig } from "../../config/validate";
import { outcomeOf, stackValues } from "./fixtures/validation";

describe("assignments a stack can name", () => {
  it("the primary balancer is the named one, else the first key in sorted order", () => {
    const raw = stackValues("school");
    expect(primaryBalancerKey(validateSiteConfig("s", raw).config.moodle!)).toBe("lb1");
    raw.moodle.primaryBalancer = "lb2";
    expect(primaryBalancerKey(validateSiteConfig("s", raw).config.moodle!)).toBe("lb2");
    delete raw.moodle.primaryBalancer;
    raw.moodle.loadBalancers = { lb2: raw.moodle.loadBalancers.lb2, lb1: raw.moodle.loadBalancers.lb1 };
    expect(primaryBalancerKey(validateSiteConfig("s", raw).config.moodle!)).toBe("lb1");
  });

  it("a primary balancer that is not a balancer is refused", () => {
    const raw = stackValues("school");
    raw.moodle.primaryBalancer = "lb9";
    expect(outcomeOf(raw).errors).toContain(
      'moodle.primaryBalancer: "lb9" is not one of moodle.loadBalancers (lb1, lb2)',
    );
  });

  it("a cluster relying on the default primary gets a warning", () => {
    const raw = stackValues("school");
    delete raw.moodle.primaryBalancer;
    expect(outcomeOf(raw).warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/^moodle\.primaryBalancer: is not set: lb1/)]),
    );
  });

  it("Redis databases of Nextcloud instances are the named ones, else 1 + the sorted position", () => {
    const raw = stackValues("prod");
    expect(nextcloudRedisDatabases(validateSiteConfig("p", raw).config)).toEqual({ bowbo: 1, maro: 2 });
    delete raw.nextcloud.bowbo.redisDatabase;
    delete raw.nextcloud.maro.redisDatabase;
    const { warnings } = outcomeOf(raw);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^nextcloud\.bowbo\.redisDatabase: is not set: 1 from the sorted keys/),
        expect.stringMatching(/^nextcloud\.maro\.redisDatabase: is not set: 2 from the sorted keys/),
      ]),
    );
  });

  it("two instances on one Redis database are refused, a default colliding with a named one too", () => {
    const raw = stackValues("prod");
    raw.nextcloud.maro.redisDatabase = 1;
    expect(outcomeOf(raw).errors).toContain(
      "nextcloud.maro.redisDatabase: 1 is already nextcloud.bowbo's Redis database: give each instance its own",
    );
    delete raw.nextcloud.maro.redisDatabase;
    raw.nextcloud.bowbo.redisDatabase = 2;
    expect(outcomeOf(raw).errors).toContain(
      "nextcloud.maro.redisDatabase: 2 (its default, from the sorted keys) is already nextcloud.bowbo's Redis database: give each instance its own",
    );
  });

  it("a Redis database outside 1-13 (0 is Moodle's, 14 and 15 Frappe's) is refused", () => {
    const raw = stackValues("prod");
    raw.nextcloud.maro.redisDatabase = 14;
    expect(outcomeOf(raw).errors.map((e) => e.split(":")[0])).toContain("nextcloud.maro.redisDatabase");
  });
});
