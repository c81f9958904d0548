import { parseHardeningResult, renderNodeHardeningScript } from "../../components/security/scripts";
import { renderTotpGuideMarkdown } from "../../components/security/totp";

describe("renderNodeHardeningScript", () => {
  const script = renderNodeHardeningScript({ fail2ban: { ignoreCidrs: ["192.168.0.0/24"] } });

  it("checks each configuration before the service that reads it is touched", () => {
    const at = (needle: string) => {
      const i = script.indexOf(needle);
      expect([needle, i >= 0]).toEqual([needle, true]);
      return i;
    };
    expect(at('"$sshd_bin" -t -f')).toBeLessThan(at("systemctl reload ssh"));
    expect(at('fail2ban-client -c "$root/etc/fail2ban" -t')).toBeLessThan(at("systemctl restart fail2ban"));
    expect(at("rollback_writes\n")).toBeLessThan(at("systemctl reload ssh"));
  });

  it("needs no secret from the prelude and writes every file under PROVISION_ROOT", () => {
    expect(script).not.toMatch(/:\?.* must be exported/);
    const targets = [...script.matchAll(/^write_if_changed "([^"]+)"/gm)].map((m) => m[1]);
    expect(targets).toEqual([
      "$root/etc/ssh/sshd_config.d/50-proxmox-sites.conf",
      "$root/etc/profile.d/proxmox-sites-idle-timeout.sh",
      "$root/etc/fail2ban/jail.d/proxmox-sites.local",
      "$root/etc/fail2ban/filter.d/proxmox.conf",
      "$root/etc/fail2ban/fail2ban.d/proxmox-sites.local",
    ]);
    expect(script).toContain('root="${PROVISION_ROOT:-}"');
  });

  it("removes the idle timeout when it is set to 0, and rejects a negative one", () => {
    const off = renderNodeHardeningScript({ fail2ban: { ignoreCidrs: [] }, shellIdleTimeoutSeconds: 0 });
    expect(off).toContain('rm -f "$root/etc/profile.d/proxmox-sites-idle-timeout.sh"');
    expect(off).not.toContain("TMOUT=");
    expect(() =>
      renderNodeHardeningScript({ fail2ban: { ignoreCidrs: [] }, shellIdleTimeoutSeconds: -1 }),
    ).toThrow("shellIdleTimeoutSeconds");
  });
});

describe("parseHardeningResult", () => {
  it("reads the marker lines", () => {
    expect(parseHardeningResult("noise\nSSHD_RELOADED=1\nFAIL2BAN_RESTARTED=0\n")).toEqual({
      sshdReloaded: true,
      fail2banRestarted: false,
    });
    expect(() => parseHardeningResult("SSHD_RELOADED=1\n")).toThrow("FAIL2BAN_RESTARTED");
  });
});

describe("renderTotpGuideMarkdown", () => {
  it("tells each admin how to enrol, and how to recover, with PVE 8's real commands", () => {
    const guide = renderTotpGuideMarkdown({
      adminUsers: ["root@pam", "alice@pve"],
      webUiUrl: "https://192.168.0.2:8006",
    });
    expect(guide).toContain("(`alice@pve`, `root@pam`)");
    expect(guide).toContain("https://192.168.0.2:8006");
    expect(guide).toContain("Datacenter → Permissions → Two Factor");
    expect(guide).toContain("pveum user tfa unlock <user@realm>");
    expect(guide).toContain("pveum user tfa delete <user@realm> --id <id>");
    expect(guide).not.toMatch(/pveum user tfa (add|create)/);
    expect(guide).not.toContain("root@pam and the password-authenticated provider");
  });

  it("warns when a provider logs in as root@pam with a password", () => {
    const guide = renderTotpGuideMarkdown({
      adminUsers: ["alice@pve"],
      webUiUrl: "https://pve.example:8006",
      rootPasswordProviderInUse: true,
    });
    expect(guide).toContain("root@pam and the password-authenticated provider");
  });

  it("rejects user ids without a realm", () => {
    expect(() => renderTotpGuideMarkdown({ adminUsers: ["alice"], webUiUrl: "https://x:8006" })).toThrow(
      "user@realm",
    );
    expect(() => renderTotpGuideMarkdown({ adminUsers: [], webUiUrl: "https://x:8006" })).toThrow(
      "at least one",
    );
  });
});
