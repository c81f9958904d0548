/**
 * The sshd drop-in that hardens a Proxmox VE 8 node (Debian 12, OpenSSH 9.2). Pure: no Pulumi import.
 *
 * Debian's /etc/ssh/sshd_config starts with `Include /etc/ssh/sshd_config.d/*.conf`, and sshd keeps
 * the FIRST value it reads for each keyword, so this drop-in wins over whatever the main file says
 * later (a Proxmox node's main file typically has `PermitRootLogin yes`). `AcceptEnv LANG LC_*` stays
 * in the main file untouched: secrets never travel as SSH environment variables anyway.
 */

/** Where the drop-in is written on the node. */
export const SSHD_DROP_IN_PATH = "/etc/ssh/sshd_config.d/50-proxmox-sites.conf";

/** AEAD ciphers first, then CTR modes for older clients. All valid in OpenSSH 9.2. */
export const MODERN_CIPHERS: readonly string[] = [
  "chacha20-poly1305@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-gcm@openssh.com",
  "aes256-ctr",
  "aes192-ctr",
  "aes128-ctr",
];

/** Encrypt-then-MAC only (AEAD ciphers above need no MAC at all). */
export const MODERN_MACS: readonly string[] = [
  "hmac-sha2-512-etm@openssh.com",
  "hmac-sha2-256-etm@openssh.com",
  "umac-128-etm@openssh.com",
];

/**
 * Post-quantum hybrid first, then X25519 and large finite-field groups. Go's x/crypto/ssh (used by
 * @pulumi/command and the Proxmox provider) negotiates curve25519-sha256 from this list.
 */
export const MODERN_KEX: readonly string[] = [
  "sntrup761x25519-sha512@openssh.com",
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group18-sha512",
  "diffie-hellman-group-exchange-sha256",
];

/** What OpenSSH 9.2 (`ssh -Q cipher|mac|kex`) accepts; a name outside these fails `sshd -t`. */
const OPENSSH_92 = {
  ciphers: [
    "3des-cbc",
    "aes128-cbc",
    "aes192-cbc",
    "aes256-cbc",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
  ],
  macs: [
    "hmac-sha1",
    "hmac-sha1-96",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-md5",
    "hmac-md5-96",
    "umac-64@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "hmac-sha1-96-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-md5-etm@openssh.com",
    "hmac-md5-96-etm@openssh.com",
    "umac-64-etm@openssh.com",
    "umac-128-etm@openssh.com",
  ],
  kexAlgorithms: [
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group-exchange-sha256",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "sntrup761x25519-sha512@openssh.com",
  ],
} as const;

export interface SshdHardeningInput {
  /**
   * `PermitRootLogin`. Default `prohibit-password`: root may log in with a key only. Proxmox
   * clustering (nodes reach each other as root over SSH: `pvecm`, migration, the console of a guest on
   * another node) and our provisioning (`pct exec` over one SSH connection as root) need root by key.
   * `no` works only when provisioning connects as a sudo user and the node is not in a cluster.
   */
  permitRootLogin?: "prohibit-password" | "no";
  /** Seconds between keep-alive probes to a silent client. Default 300. */
  clientAliveIntervalSeconds?: number;
  /** Unanswered probes before the connection is dropped. Default 2 (so 10 min with the default interval). */
  clientAliveCountMax?: number;
  /** Authentication attempts per connection. Default 3. */
  maxAuthTries?: number;
  /** Seconds a client has to authenticate. Default 30. */
  loginGraceTimeSeconds?: number;
  /** Allow `ssh -L/-R/-D` TCP forwarding. Default false (Cloudflare Access publishes admin tools). */
  allowTcpForwarding?: boolean;
  /**
   * Allow forwarding of Unix sockets by the client (`AllowStreamLocalForwarding local`). Default true:
   * Proxmox's secure live migration between cluster nodes tunnels its Unix sockets through SSH.
   */
  allowUnixSocketForwarding?: boolean;
  /** `AllowUsers` patterns; empty means no restriction. Must let root in unless permitRootLogin is `no`. */
  allowUsers?: readonly string[];
  /** `AllowGroups` names; empty means no restriction. */
  allowGroups?: readonly string[];
  /** Cipher list; default MODERN_CIPHERS. Every name must exist in OpenSSH 9.2. */
  ciphers?: readonly string[];
  /** MAC list; default MODERN_MACS. */
  macs?: readonly string[];
  /** Key exchange list; default MODERN_KEX. */
  kexAlgorithms?: readonly string[];
}

function positiveInt(problems: string[], key: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    problems.push(`sshd.${key}: ${value} is not an integer between 1 and ${max}`);
  }
}

function knownNames(problems: string[], key: keyof typeof OPENSSH_92, names: readonly string[]): void {
  const known: readonly string[] = OPENSSH_92[key];
  if (names.length === 0) problems.push(`sshd.${key}: empty list (sshd would accept nothing)`);
  for (const name of names) {
    if (!known.includes(name)) problems.push(`sshd.${key}: ${name} is not supported by OpenSSH 9.2`);
  }
}

/** Every problem with the input at once; empty when the input renders a valid drop-in. */
export function validateSshdInput(input: SshdHardeningInput): string[] {
  const problems: string[] = [];
  const permitRoot = input.permitRootLogin ?? "prohibit-password";
  if (permitRoot !== "prohibit-password" && permitRoot !== "no") {
    problems.push(`sshd.permitRootLogin: ${String(permitRoot)} is not prohibit-password or no`);
  }
  positiveInt(problems, "clientAliveIntervalSeconds", input.clientAliveIntervalSeconds ?? 300, 3600);
  positiveInt(problems, "clientAliveCountMax", input.clientAliveCountMax ?? 2, 100);
  positiveInt(problems, "maxAuthTries", input.maxAuthTries ?? 3, 20);
  positiveInt(problems, "loginGraceTimeSeconds", input.loginGraceTimeSeconds ?? 30, 600);
  for (const user of input.allowUsers ?? []) {
    if (!/^[A-Za-z0-9._*?!-]+(@[A-Za-z0-9._*?:/!-]+)?$/.test(user)) {
      problems.push(`sshd.allowUsers: "${user}" is not a user[@host] pattern`);
    }
  }
  for (const group of input.allowGroups ?? []) {
    if (!/^[A-Za-z0-9._*?!-]+$/.test(group))
      problems.push(`sshd.allowGroups: "${group}" is not a group pattern`);
  }
  const users = input.allowUsers ?? [];
  if (permitRoot !== "no" && users.length > 0 && !users.some((u) => /^(root|\*)(@|$)/.test(u))) {
    problems.push(
      "sshd.allowUsers: root is missing, but provisioning and Proxmox clustering log in as root " +
        "(add root, or set permitRootLogin to no and provision through a sudo user)",
    );
  }
  knownNames(problems, "ciphers", input.ciphers ?? MODERN_CIPHERS);
  knownNames(problems, "macs", input.macs ?? MODERN_MACS);
  knownNames(problems, "kexAlgorithms", input.kexAlgorithms ?? MODERN_KEX);
  return problems;
}

/** The drop-in text. Throws one error listing every input problem. */
export function renderSshdDropIn(input: SshdHardeningInput = {}): string {
  const problems = validateSshdInput(input);
  if (problems.length > 0) throw new Error(`invalid sshd hardening input:\n  ${problems.join("\n  ")}`);
  const lines = [
    "# Rendered by proxmox-sites: SSH hardening for a Proxmox VE node.",
    "# Included first by /etc/ssh/sshd_config, and sshd keeps the first value it reads,",
    "# so these settings win over the main file. Validate with: sshd -t",
    "",
    "# Keys only.",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitEmptyPasswords no",
    `PermitRootLogin ${input.permitRootLogin ?? "prohibit-password"}`,
    `MaxAuthTries ${input.maxAuthTries ?? 3}`,
    `LoginGraceTime ${input.loginGraceTimeSeconds ?? 30}`,
    "# VERBOSE logs key fingerprints and failed publickey attempts (Fail2Ban reads them).",
    "LogLevel VERBOSE",
    "",
    "# Drop dead or unresponsive sessions.",
    `ClientAliveInterval ${input.clientAliveIntervalSeconds ?? 300}`,
    `ClientAliveCountMax ${input.clientAliveCountMax ?? 2}`,
    "",
    "# No forwarding beyond what Proxmox needs.",
    "X11Forwarding no",
    "AllowAgentForwarding no",
    `AllowTcpForwarding ${input.allowTcpForwarding ? "yes" : "no"}`,
    `AllowStreamLocalForwarding ${(input.allowUnixSocketForwarding ?? true) ? "local" : "no"}`,
    "PermitTunnel no",
    "",
    "# Modern algorithms only (OpenSSH 9.2).",
    `Ciphers ${(input.ciphers ?? MODERN_CIPHERS).join(",")}`,
    `MACs ${(input.macs ?? MODERN_MACS).join(",")}`,
    `KexAlgorithms ${(input.kexAlgorithms ?? MODERN_KEX).join(",")}`,
  ];
  const access: string[] = [];
  if (input.allowUsers?.length) access.push(`AllowUsers ${input.allowUsers.join(" ")}`);
  if (input.allowGroups?.length) access.push(`AllowGroups ${input.allowGroups.join(" ")}`);
  if (access.length > 0) lines.push("", "# Who may log in at all.", ...access);
  return `${lines.join("\n")}\n`;
}
