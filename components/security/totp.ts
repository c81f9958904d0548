/**
 * The README section on TOTP two-factor login for Proxmox VE 8 administrators. Pure text.
 *
 * Facts it rests on (pve-access-control, pve-docs "pveum"): PVE 7.2+ keeps second factors per user in
 * /etc/pve/priv/tfa.cfg; a TOTP entry is added in the web UI or through the API
 * (`POST /access/tfa/{userid}` with `type=totp`, an `otpauth://` URI and the current code). `pveum`
 * has only `user tfa list|delete|unlock` — there is no `pveum` command that adds a TOTP. Second factors
 * apply to ticket (password) logins of the web UI and API, not to SSH and not to API tokens. Eight
 * wrong TOTP codes lock the user's TOTP until a recovery key is used or an admin unlocks it.
 */

export interface TotpGuideInput {
  /** Proxmox users who must enrol, e.g. `["root@pam", "alice@pve"]`. */
  adminUsers: readonly string[];
  /** The web UI address shown in the steps, e.g. `https://192.168.0.2:8006`. */
  webUiUrl: string;
  /**
   * True when the stack authenticates a provider as root@pam with a password (privileged container
   * features, bind mounts). Such a login cannot answer a TOTP challenge, so the guide warns about it.
   */
  rootPasswordProviderInUse?: boolean;
}

const USER_ID = /^[^\s@:]+@[A-Za-z][A-Za-z0-9.-]*$/;

/** Markdown: how every administrator enables TOTP, and how to recover from a lost or locked factor. */
export function renderTotpGuideMarkdown(input: TotpGuideInput): string {
  const bad = input.adminUsers.filter((u) => !USER_ID.test(u));
  if (bad.length > 0) throw new Error(`totp.adminUsers: ${bad.join(", ")} not in user@realm form`);
  if (input.adminUsers.length === 0) throw new Error("totp.adminUsers: list at least one administrator");
  const users = [...input.adminUsers].sort().map((u) => `\`${u}\``);
  const lines = [
    "## Two-factor login (TOTP) for administrators",
    "",
    `Every administrator (${users.join(", ")}) enrols a TOTP app before the site goes live.`,
    "Proxmox VE asks for the second factor on every password login to the web UI and the API.",
    "It does not apply to SSH (keys only on this node) or to API tokens (the Pulumi provider's token).",
    "",
    "### Enrol (each administrator, once)",
    "",
    `1. Log in to ${input.webUiUrl} as yourself.`,
    "2. Open **Datacenter → Permissions → Two Factor**, click **Add → TOTP**",
    "   (or your user menu, top right → **TFA**).",
    "3. Enter a description, scan the QR code with an authenticator app (Aegis, FreeOTP,",
    "   Google Authenticator, 1Password …), type the current 6-digit code into **Verify Code**",
    "   and click **Add**.",
    "4. Click **Add → Recovery Keys**, and store the printed keys offline (password manager vault,",
    "   printed in the safe). Each key works once.",
    "5. Log out and back in: the UI now asks for the TOTP code after the password.",
    "",
    "There is no `pveum` command that adds a TOTP. Scripted enrolment uses the API instead:",
    "`pvesh create /access/tfa/<user@realm> --type totp --totp '<otpauth:// URI>' --value <current code>`",
    "(the secret in the URI is then known to whoever ran it; prefer the UI).",
    "",
    "### Lockout and recovery (as root in the node's shell)",
    "",
    "- Eight wrong TOTP codes lock that user's TOTP. Logging in with a recovery key unlocks it;",
    "  otherwise an administrator runs `pveum user tfa unlock <user@realm>`.",
    "- Lost phone: `pveum user tfa list <user@realm>` shows the entry IDs;",
    "  `pveum user tfa delete <user@realm> --id <id>` removes one, then the user enrols again.",
    "- Treat a TOTP lockout as a leaked password: change the password as well.",
  ];
  if (input.rootPasswordProviderInUse) {
    lines.push(
      "",
      "### Caution: root@pam and the password-authenticated provider",
      "",
      "This stack logs a provider in as `root@pam` with a password (for the few operations an API",
      "token cannot do). That login cannot answer a TOTP challenge, so `pulumi up` fails once root@pam",
      "has a second factor. Give the human administrators their own accounts with TOTP, keep",
      "root@pam's password only in the stack's secret config, and leave root@pam without TOTP —",
      "or drop the root@pam provider first.",
    );
  }
  return `${lines.join("\n")}\n`;
}
