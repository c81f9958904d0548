import fc from "fast-check";
import { tunnelIngress } from "../../components/tunnel/ingress";
import type { PublishedService } from "../../config/wiring";

const service = (hostname: string, admin = false): PublishedService => ({
  hostname,
  target: "g",
  origin: `http://10.0.0.1:80`,
  admin,
  description: hostname,
});

describe("tunnel ingress", () => {
  it("relaxes origin TLS only where the service asks", () => {
    const rules = tunnelIngress([
      service("a.example"),
      { ...service("pve.example", true), origin: "https://10.0.0.2:8006", noTlsVerify: true },
    ]);
    expect(rules.find((r) => r.hostname === "pve.example")?.originRequest).toEqual({ noTlsVerify: true });
    expect(rules.find((r) => r.hostname === "a.example")?.originRequest).toBeUndefined();
  });

  it("refuses a hostname published twice", () => {
    expect(() => tunnelIngress([service("a.example"), service("a.example")])).toThrow(
      "a.example is published twice",
    );
  });

  it("always ends with the catch-all, whatever the order of services", () => {
    const names = fc.uniqueArray(
      fc.domain().map((d) => d.toLowerCase()),
      { minLength: 0, maxLength: 12, selector: (d) => d },
    );
    fc.assert(
      fc.property(names, (hosts) => {
        const rules = tunnelIngress(hosts.map((h) => service(h)));
        const last = rules[rules.length - 1];
        expect(last).toEqual({ service: "http_status:404" });
        expect(rules.filter((r) => !r.hostname)).toHaveLength(1);
        expect(tunnelIngress([...hosts].reverse().map((h) => service(h)))).toEqual(rules);
      }),
    );
  });
});
