import {
  MODERN_CIPHERS,
  MODERN_KEX,
  MODERN_MACS,
  renderSshdDropIn,
  validateSshdInput,
} from "../../components/security/sshd";

/** keyword (lower-case) → every value it is given, in order. */
function directives(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    const [keyword, ...rest] = trimmed.split(/\s+/);
    const key = keyword.toLowerCase();
    map.set(key, [...(map.get(key) ?? []), rest.join(" ")]);
  }
  return map;
}

describe("renderSshdDropIn", () => {
  it("defaults to keys only, root by key, short grace, no forwarding but Proxmox's socket tunnels", () => {
    const d = directives(renderSshdDropIn());
    expect(Object.fromEntries([...d].map(([k, v]) => [k, v.join("|")]))).toEqual({
      pubkeyauthentication: "yes",
      passwordauthentication: "no",
      kbdinteractiveauthentication: "no",
      permitemptypasswords: "no",
      permitrootlogin: "prohibit-password",
      maxauthtries: "3",
      logingracetime: "30",
      loglevel: "VERBOSE",
      clientaliveinterval: "300",
      clientalivecountmax: "2",
      x11forwarding: "no",
      allowagentforwarding: "no",
      allowtcpforwarding: "no",
      allowstreamlocalforwarding: "local",
      permittunnel: "no",
      ciphers: MODERN_CIPHERS.join(","),
      macs: MODERN_MACS.join(","),
      kexalgorithms: MODERN_KEX.join(","),
    });
  });

  it("never sets AcceptEnv (the main file's LANG LC_* stays) and never repeats a keyword", () => {
    const d = directives(
      renderSshdDropIn({
        allowUsers: ["root", "alice@192.168.0.0/24"],
        allowGroups: ["sshadmins"],
        allowTcpForwarding: true,
      }),
    );
    expect(d.has("acceptenv")).toBe(false);
    for (const [keyword, values] of d) expect([keyword, values.length]).toEqual([keyword, 1]);
    expect(d.get("allowusers")).toEqual(["root alice@192.168.0.0/24"]);
    expect(d.get("allowgroups")).toEqual(["sshadmins"]);
    expect(d.get("allowtcpforwarding")).toEqual(["yes"]);
  });

  it("takes the tuning inputs", () => {
    const d = directives(
      renderSshdDropIn({
        permitRootLogin: "no",
        clientAliveIntervalSeconds: 120,
        clientAliveCountMax: 4,
        maxAuthTries: 5,
        loginGraceTimeSeconds: 45,
        allowUnixSocketForwarding: false,
        ciphers: ["aes256-gcm@openssh.com"],
      }),
    );
    expect(d.get("permitrootlogin")).toEqual(["no"]);
    expect(d.get("clientaliveinterval")).toEqual(["120"]);
    expect(d.get("clientalivecountmax")).toEqual(["4"]);
    expect(d.get("maxauthtries")).toEqual(["5"]);
    expect(d.get("logingracetime")).toEqual(["45"]);
    expect(d.get("allowstreamlocalforwarding")).toEqual(["no"]);
    expect(d.get("ciphers")).toEqual(["aes256-gcm@openssh.com"]);
  });
});

describe("validateSshdInput", () => {
  it("accepts the defaults", () => {
    expect(validateSshdInput({})).toEqual([]);
  });

  it("reports every problem at once", () => {
    const problems = validateSshdInput({
      maxAuthTries: 0,
      clientAliveIntervalSeconds: 1.5,
      ciphers: ["arcfour256", "aes128-ctr"],
      macs: [],
      kexAlgorithms: ["sntrup761x25519-sha512"],
      allowUsers: ["bad user"],
    });
    expect(problems).toEqual([
      "sshd.clientAliveIntervalSeconds: 1.5 is not an integer between 1 and 3600",
      "sshd.maxAuthTries: 0 is not an integer between 1 and 20",
      'sshd.allowUsers: "bad user" is not a user[@host] pattern',
      expect.stringContaining("sshd.allowUsers: root is missing"),
      "sshd.ciphers: arcfour256 is not supported by OpenSSH 9.2",
      "sshd.macs: empty list (sshd would accept nothing)",
      "sshd.kexAlgorithms: sntrup761x25519-sha512 is not supported by OpenSSH 9.2",
    ]);
    expect(() => renderSshdDropIn({ maxAuthTries: 0 })).toThrow("sshd.maxAuthTries");
  });

  it("requires root in AllowUsers unless root login is off", () => {
    expect(validateSshdInput({ allowUsers: ["alice"] })).toEqual([
      expect.stringContaining("root is missing"),
    ]);
    expect(validateSshdInput({ allowUsers: ["root@10.0.0.0/8", "alice"] })).toEqual([]);
    expect(validateSshdInput({ allowUsers: ["alice"], permitRootLogin: "no" })).toEqual([]);
  });
});
