import { renderFail2BanJail, renderProxmoxFilter } from "../../components/security/fail2ban";

/** section → key → value of an INI text (fail2ban's format, no continuation lines used here). */
function ini(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = "";
  for (const line of text.split("\n")) {
    const header = /^\[(.+)\]$/.exec(line.trim());
    if (header) {
      section = header[1];
      out[section] = {};
    } else if (/^[^#\s][^=]*=/.test(line)) {
      const at = line.indexOf("=");
      out[section][line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return out;
}

describe("renderFail2BanJail", () => {
  it("reads the journal for both jails and never bans the admin networks", () => {
    const jail = ini(
      renderFail2BanJail({ ignoreCidrs: ["192.168.0.0/24", "10.8.0.5", "2001:db8::/64", "10.8.0.5"] }),
    );
    expect(Object.keys(jail)).toEqual(["sshd", "proxmox"]);
    for (const name of ["sshd", "proxmox"]) {
      expect(jail[name].enabled).toBe("true");
      expect(jail[name].backend).toBe("systemd");
      expect(jail[name].ignoreip).toBe("127.0.0.1/8 ::1 10.8.0.5 192.168.0.0/24 2001:db8::/64");
    }
    expect(jail.proxmox.filter).toBe("proxmox");
    expect(jail.proxmox.port).toBe("https,8006");
    expect(jail.sshd.mode).toBe("aggressive");
  });

  it("takes each jail's ban policy", () => {
    const jail = ini(
      renderFail2BanJail({
        ignoreCidrs: [],
        sshd: { maxRetry: 4 },
        proxmoxUi: { bantimeSeconds: 86400, findtimeSeconds: 172800, maxRetry: 2 },
        incrementBantime: false,
        sshdMode: "normal",
      }),
    );
    expect(jail.sshd).toMatchObject({ bantime: "3600", findtime: "600", maxretry: "4", mode: "normal" });
    expect(jail.proxmox).toMatchObject({ bantime: "86400", findtime: "172800", maxretry: "2" });
    expect(jail.proxmox["bantime.increment"]).toBe("false");
  });

  it("rejects malformed networks and policies, all at once", () => {
    expect(() =>
      renderFail2BanJail({
        ignoreCidrs: ["192.168.0.1/24", "300.1.1.1"],
        sshd: { maxRetry: 0 },
        proxmoxUiPorts: ["8006; rm"],
      }),
    ).toThrow(
      [
        "invalid fail2ban input:",
        "  fail2ban.ignoreCidrs: 192.168.0.1/24 is not an address or a network CIDR",
        "  fail2ban.ignoreCidrs: 300.1.1.1 is not an address or a network CIDR",
        "  fail2ban.proxmoxUiPorts: 8006; rm is not a port",
        "  fail2ban.sshd.maxRetry: 0 is not a positive integer",
      ].join("\n"),
    );
  });
});

describe("renderProxmoxFilter", () => {
  it("matches pvedaemon in the journal and captures the client as <HOST>", () => {
    const filter = ini(renderProxmoxFilter());
    expect(filter.INCLUDES.before).toBe("common.conf");
    expect(filter.Definition._daemon).toBe("pvedaemon");
    expect(filter.Definition.journalmatch).toBe("_SYSTEMD_UNIT=pvedaemon.service");
    expect(filter.Definition.failregex).toContain("authentication failure; rhost=(?:::ffff:)?<HOST> user=");
  });
});
