import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { printServerInputFor } from "../../components/print-server/server-input";
import { renderPrintServerScript } from "../../components/print-server/render";
import { computeGuestFirewalls, isAllowed } from "../../components/firewall/rules";
import { firewallModelFor } from "../../components/firewall/site-model";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring } from "../../config/wiring";
import { edgePortsText } from "../../config/service-edge";
import { COMMAND, CONTAINER, RULES, type RegisteredRule, stackPlan } from "./fixtures/stack-plan";

const root = resolve(__dirname, "../..");

describe.each([
  ["prod", 302, "192.168.0.32", "192.168.0.0/24"],
  ["staging", 1302, "192.168.10.32", "192.168.10.0/24"],
])("the print server of %s", (stack, vmid, ip, lan) => {
  const planned = stackPlan(stack);
  const { resource } = planned;

  it("is an unprivileged LXC guest on its planned address, in the IP plan", () => {
    const ct = resource(CONTAINER, "print-server");
    expect(ct.inputs.vmId).toBe(vmid);
    expect(ct.inputs.unprivileged).toBe(true);
    expect(ct.inputs.features).toBeUndefined();
    const row = planned.built.plan.ipPlan.find((r) => r.key === "print-server")!;
    expect({ vmid: row.vmid, ip: row.ip, kind: row.kind }).toEqual({ vmid, ip, kind: "lxc" });
  });

  it("is provisioned in its guest with the script rendered for its address and the site's networks", () => {
    const { config } = validateSiteConfig(stack, readStackFile(root, stack).values);
    const input = printServerInputFor({
      config: config.printServer!,
      guest: siteWiring(config).guests.find((g) => g.key === "print-server")!,
      internalDomain: config.site.internalDomain,
      network: config.network,
    });
    expect(input.cups).toMatchObject({
      listenIp: ip,
      printCidrs: [lan],
      adminCidrs: config.network.adminCidrs,
    });
    expect(input.samba).toMatchObject({ listenIp: ip, workgroup: "BOWBO", guestPrinting: true });
    const install = resource(COMMAND, "print-server-install");
    expect(install.inputs.create).toBe(`pct exec ${vmid} -- bash -s`);
    const scriptHash = createHash("sha256").update(renderPrintServerScript(input)).digest("hex");
    expect((install.inputs.triggers as string[])[0]).toBe(scriptHash);
    expect(
      planned.built.plan.resources.some((r) => r.type === COMMAND && r.name === "print-server-node-exporter"),
    ).toBe(true);
  });

  it("lets the LAN print over IPP (631) and SMB (445) and nothing else in; registered as the guest's rules", () => {
    const rules = resource(RULES, "firewall-print-server-rules").inputs.rules as RegisteredRule[];
    const from = (port: string) =>
      rules
        .filter((r) => r.type === "in" && r.action === "ACCEPT" && r.proto === "tcp" && r.dport === port)
        .map((r) => r.source);
    expect(from("631")).toContain(lan);
    expect(from("445")).toEqual([lan]);
  });

  it("the service graph and the firewall model agree: LAN in, outsiders out", () => {
    const { config } = validateSiteConfig(stack, readStackFile(root, stack).values);
    const edges = siteWiring(config)
      .edges.filter((e) => e.to === "print-server")
      .map((e) => `${edgePortsText(e)}/${e.protocol} ${e.purpose}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        "631/tcp printing (IPP)",
        "445/tcp printing (SMB printer shares)",
        "631/tcp CUPS administration",
      ]),
    );
    const firewalls = computeGuestFirewalls(firewallModelFor(config, siteWiring(config)));
    const lanClient = lan.replace(/0\/24$/, "77");
    expect(
      isAllowed(firewalls, { fromIp: lanClient, toGuest: "print-server", port: 445, proto: "tcp" }),
    ).toBe(true);
    expect(
      isAllowed(firewalls, { fromIp: lanClient, toGuest: "print-server", port: 631, proto: "tcp" }),
    ).toBe(true);
    expect(
      isAllowed(firewalls, { fromIp: "203.0.113.9", toGuest: "print-server", port: 445, proto: "tcp" }),
    ).toBe(false);
    expect(
      isAllowed(firewalls, { fromIp: lanClient, toGuest: "print-server", port: 139, proto: "tcp" }),
    ).toBe(false);
  });
});
