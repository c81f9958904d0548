import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderCupsdConf, type CupsdInput } from "../../components/print-server/cupsd";
import {
  printServerFiles,
  renderPrintServerScript,
  SAMBA_CHECK_FAILURES,
} from "../../components/print-server/render";
import { renderSmbConf, type SambaInput } from "../../components/print-server/samba";
import { findProgram, run, scratchDir } from "../live/support/daemon";
import { expectCleanShell } from "../live/support/shell";

const cups: CupsdInput = {
  listenIp: "192.168.0.32",
  serverAliases: ["print-server", "print-server.bowbo.lan"],
  printCidrs: ["192.168.0.0/24"],
  adminCidrs: ["192.168.0.200/29"],
};
const samba: SambaInput = {
  workgroup: "BOWBO",
  listenIp: "192.168.0.32",
  prefixLength: 24,
  allowCidrs: ["192.168.0.0/24", "192.168.0.200/29"],
  guestPrinting: true,
};

/** `cupsd -t -c <file>` on a scratch copy (cupsd reads cups-files.conf beside it: Debian's is copied). */
function cupsdCheck(text: string) {
  const d = scratchDir("cupsd");
  try {
    writeFileSync(join(d.path, "cupsd.conf"), text);
    writeFileSync(join(d.path, "cups-files.conf"), "SystemGroup root lpadmin\n");
    return run(findProgram("cupsd"), ["-t", "-c", join(d.path, "cupsd.conf")]);
  } finally {
    d.remove();
  }
}

/** `testparm -s <file>`: its exit status and the messages that mean the file is not what was meant. */
function testparm(text: string) {
  const d = scratchDir("samba");
  try {
    writeFileSync(join(d.path, "smb.conf"), text);
    const result = run(findProgram("testparm"), ["-s", join(d.path, "smb.conf")]);
    return {
      ...result,
      problems: result.stderr.split("\n").filter((l) => new RegExp(SAMBA_CHECK_FAILURES).test(l)),
    };
  } finally {
    d.remove();
  }
}

describe("print server: cupsd.conf on the real cupsd", () => {
  const text = renderCupsdConf(cups);

  it("passes cupsd -t", () => {
    const result = cupsdCheck(text);
    expect(result.output).toContain("is OK");
    expect(result.status).toBe(0);
  });

  it("listens on the guest's address and locally, printing from the LAN, /admin from the admin networks only", () => {
    expect(text).toMatch(/^Listen 192\.168\.0\.32:631$/m);
    expect(text).toMatch(/^Listen 127\.0\.0\.1:631$/m);
    expect(text).not.toMatch(/^(Listen|Port) (\*|0\.0\.0\.0)?:?631$/m);
    const block = (path: string) => new RegExp(`<Location ${path}>\\n([\\s\\S]*?)</Location>`).exec(text)![1];
    expect(block("/")).toContain("Allow from 192.168.0.0/24");
    for (const admin of ["/admin", "/admin/conf", "/admin/log"]) {
      expect(block(admin)).toContain("Allow from 192.168.0.200/29");
      expect(block(admin)).not.toContain("192.168.0.0/24");
      expect(block(admin)).toContain("Order allow,deny");
    }
    expect(block("/admin/conf")).toContain("Require user @SYSTEM");
  });

  it("the check can fail: cupsd -t refuses a broken file, and the renderer refuses a bad network", () => {
    expect(cupsdCheck(text.replace("Browsing No", "Browsing Perhaps\nNoSuchDirective 1")).status).not.toBe(0);
    expect(() => renderCupsdConf({ ...cups, adminCidrs: ["192.168.0.200/33"] })).toThrow(
      "is not an IPv4 CIDR",
    );
  });
});

describe("print server: smb.conf on the real testparm", () => {
  it("passes testparm -s with no unknown or ignored parameter", () => {
    const result = testparm(renderSmbConf(samba));
    expect(result.problems).toEqual([]);
    expect(result.status).toBe(0);
    // testparm prints the effective configuration: the printers share and the bindings took.
    expect(result.stdout).toMatch(/\[printers\][\s\S]*printable = Yes/);
    expect(result.stdout).toContain("bind interfaces only = Yes");
    expect(result.stdout).toContain("interfaces = 127.0.0.1 192.168.0.32/24");
    expect(result.stdout).toContain("disable netbios = Yes");
  });

  it("with guestPrinting off, nobody prints without a Samba account", () => {
    const out = testparm(renderSmbConf({ ...samba, guestPrinting: false })).stdout;
    expect(out).not.toContain("guest ok = Yes");
    expect(out).not.toMatch(/map to guest = Bad User/i);
  });

  it("the check can fail: an unknown parameter and an invalid value are caught", () => {
    const text = renderSmbConf(samba);
    expect(testparm(text.replace("load printers = yes", "load printerz = yes")).problems).not.toEqual([]);
    expect(testparm(text.replace("SMB2_10", "SMB9")).status).not.toBe(0);
  });
});

describe("print server: provisioning script", () => {
  const script = renderPrintServerScript({ cups, samba });

  it("is shellcheck clean and checks both files with their daemons before any restart", () => {
    expectCleanShell(script);
    const check = script.indexOf("cupsd -t -c /etc/cups/cupsd.conf");
    const testparmAt = script.indexOf("testparm -s /etc/samba/smb.conf");
    expect(check).toBeGreaterThan(0);
    expect(testparmAt).toBeGreaterThan(0);
    expect(script.indexOf("systemctl restart cups")).toBeGreaterThan(Math.max(check, testparmAt));
  });

  it("writes exactly the rendered cupsd.conf and smb.conf", () => {
    expect(printServerFiles({ cups, samba }).map((f) => [f.path, f.content])).toEqual([
      ["/etc/cups/cupsd.conf", renderCupsdConf(cups)],
      ["/etc/samba/smb.conf", renderSmbConf(samba)],
    ]);
  });
});
