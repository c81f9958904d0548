import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { manualSteps, windowsMacAddress } from "../../config/windows-address";
import { guestInventory } from "../../config/inventory";
import { SiteConfigError } from "../../config/problems";
import { planMarkdown } from "../../scripts/lib/plan-markdown";
import { resolve } from "node:path";
import { RULES, VM, type RegisteredRule, stackPlan } from "./fixtures/stack-plan";

const root = resolve(__dirname, "../..");

describe("the Windows render VM is reachable over RDP at its planned address (prod)", () => {
  const planned = stackPlan("prod");
  const { resource } = planned;

  it("registers RDP (3389 tcp and udp) from every admin network in the VM's own firewall rules", () => {
    const rules = resource(RULES, "firewall-windows-gpu-rules");
    expect(rules.inputs.vmId).toBe(900);
    const accepted = (rules.inputs.rules as RegisteredRule[]).filter(
      (r) => r.type === "in" && r.action === "ACCEPT" && r.dport === "3389" && r.enabled,
    );
    for (const proto of ["tcp", "udp"])
      expect(accepted.filter((r) => r.proto === proto).map((r) => r.source)).toEqual(["192.168.0.200/29"]);
  });

  it("gives the VM's NIC a fixed MAC with the firewall on, so a DHCP reservation keeps matching", () => {
    const vm = resource(VM, "windows-gpu");
    expect(vm.inputs.networkDevices).toEqual([
      { bridge: "vmbr0", model: "virtio", firewall: true, macAddress: windowsMacAddress("bowbo", 900) },
    ]);
  });

  it("says in the IP plan and the plan's manual steps how the address is set, with the MAC", () => {
    const mac = windowsMacAddress("bowbo", 900);
    const row = planned.built.plan.ipPlan.find((r) => r.key === "windows-gpu")!;
    expect(row.ip).toBe("192.168.0.60");
    expect(row.setBy).toBe(`by hand: DHCP reservation for ${mac} or static in Windows`);
    expect(planned.built.plan.ipPlan.filter((r) => r.setBy).map((r) => r.key)).toEqual(["windows-gpu"]);
    const md = planMarkdown(planned.built.plan, planned.built.site);
    expect(md).toContain("## Manual steps (the program cannot do these)");
    expect(md).toContain(
      `DHCP reservation on the network's DHCP server (the router, 192.168.0.1): MAC ${mac} → 192.168.0.60`,
    );
    expect(md).toContain(
      "New-NetIPAddress -InterfaceAlias Ethernet -IPAddress 192.168.0.60 -PrefixLength 24",
    );
  });
});

describe("the Windows VM's MAC", () => {
  it("is a stable, locally administered unicast address that differs per site and VMID", () => {
    const mac = windowsMacAddress("bowbo", 900);
    expect(mac).toMatch(/^02(:[0-9A-F]{2}){5}$/);
    expect(windowsMacAddress("bowbo", 900)).toBe(mac);
    expect(windowsMacAddress("bowbo", 901)).not.toBe(mac);
    expect(windowsMacAddress("other", 900)).not.toBe(mac);
  });

  it("takes the stack's macAddress for a VM created before, and refuses a multicast or malformed one", () => {
    const raw = structuredClone(readStackFile(root, "prod").values) as Record<
      string,
      Record<string, unknown>
    >;
    raw.windowsGpu.macAddress = "BC:24:11:AA:BB:CC";
    const { config } = validateSiteConfig("prod", raw);
    expect(manualSteps(config, guestInventory(config))[0].how[0]).toContain("MAC BC:24:11:AA:BB:CC");
    for (const [mac, message] of [
      ["01:00:5E:00:00:01", "must be a unicast address"],
      ["bc:24:11:aa:bb:cc", "must be a MAC address in upper case"],
    ]) {
      raw.windowsGpu.macAddress = mac;
      try {
        validateSiteConfig("prod", raw);
        throw new Error("accepted");
      } catch (err) {
        expect(err).toBeInstanceOf(SiteConfigError);
        expect((err as SiteConfigError).message).toContain(`windowsGpu.macAddress: "${mac}" ${message}`);
      }
    }
  });
});
