/**
 * A web cluster with two balancers gets the same VRRP rules as Moodle's: without them the guest
 * firewall drops the keepalived adverts and both balancers hold the floating address.
 */
import { resolve } from "node:path";
import { firewallModelFor } from "../../components/firewall/site-model";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring } from "../../config/wiring";
import { loadProfile, scaffoldStack } from "../../scripts/lib/scaffold";

const ROOT = resolve(__dirname, "../..");

function portalModel() {
  const s = scaffoldStack({
    name: "portal",
    profile: loadProfile(ROOT, "web-cluster"),
    subnet: "10.30.0.0/24",
  });
  const site = validateSiteConfig("portal", s.values).config;
  return firewallModelFor(site, siteWiring(site));
}

test("the portal's balancers take VRRP adverts from each other and from nobody else", () => {
  const model = portalModel();
  const vrrp = model.edges
    .filter((e) => e.protocol === "vrrp")
    .map((e) => `${"guest" in e.from ? e.from.guest : "?"} -> ${e.to}`)
    .sort();
  expect(vrrp).toEqual(["portal-lb1 -> portal-lb2", "portal-lb2 -> portal-lb1"]);
});
