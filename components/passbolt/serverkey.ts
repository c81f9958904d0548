/**
 * The Passbolt server OpenPGP key: generated once as www-data into Passbolt's keyring (parameters as in
 * Passbolt's own Ansible playbook: RSA 3072, no expiry, no passphrase, which the PHP gnupg module needs),
 * exported beside passbolt.php, and its fingerprint written to `gpg/serverkey.fingerprint` for passbolt.php.
 * Every path honours PROVISION_ROOT, so tests run this step for real into a scratch directory.
 * Pure: no Pulumi import.
 */
import { shellQuote } from "../proxmox/shell-quote";
import { PASSBOLT_CONFIG_DIR } from "./config";
import { PassboltInput, resolvePassboltInput } from "./types";

/** Passbolt's GnuPG home in the Debian package (www-data's keyring). */
export const PASSBOLT_GNUPG_HOME = "/var/lib/passbolt/.gnupg";

/** Bash: generate the key only when no exported private key exists; refresh the fingerprint file if it differs. */
export function renderPassboltServerKeyStep(input: PassboltInput): string {
  const p = resolvePassboltInput(input);
  const q = shellQuote;
  return `# Passbolt server key (generated once; never replaced while serverkey_private.asc exists).
gnupg_home="\${PROVISION_ROOT:-}"${q(PASSBOLT_GNUPG_HOME)}
key_dir="\${PROVISION_ROOT:-}"${q(`${PASSBOLT_CONFIG_DIR}/gpg`)}
key_email=${q(p.serverKeyEmail)}
pgp() { runuser -u www-data -- gpg --homedir "$gnupg_home" --batch --no-tty "$@"; }
if [ ! -d "$gnupg_home" ]; then install -d -o www-data -g www-data -m 0700 "$gnupg_home"; fi
if [ ! -d "$key_dir" ]; then install -d -o root -g www-data -m 0750 "$key_dir"; fi
if [ ! -s "$key_dir/serverkey_private.asc" ]; then
  if ! pgp --list-secret-keys "<$key_email>" >/dev/null 2>&1; then
    pgp --gen-key <<'PASSBOLT_KEY_PARAMS'
Key-Type: RSA
Key-Length: 3072
Subkey-Type: RSA
Subkey-Length: 3072
Name-Real: ${p.serverKeyName}
Name-Email: ${p.serverKeyEmail}
Expire-Date: 0
%no-protection
%commit
PASSBOLT_KEY_PARAMS
  fi
  staged_key="$(mktemp)"
  pgp --armor --export "<$key_email>" >"$staged_key"
  install -m 0640 -o www-data -g www-data "$staged_key" "$key_dir/serverkey.asc"
  pgp --armor --export-secret-keys "<$key_email>" >"$staged_key"
  install -m 0640 -o www-data -g www-data "$staged_key" "$key_dir/serverkey_private.asc"
  rm -f "$staged_key"
fi
server_fingerprint="$(pgp --with-colons --show-keys "$key_dir/serverkey.asc" | awk -F: '$1 == "fpr" && !found { print $10; found = 1 }')"
if ! [[ "$server_fingerprint" =~ ^[0-9A-F]{40}$ ]]; then
  echo "no usable fingerprint in $key_dir/serverkey.asc" >&2
  exit 1
fi
if [ "$(cat "$key_dir/serverkey.fingerprint" 2>/dev/null)" != "$server_fingerprint" ]; then
  printf '%s\\n' "$server_fingerprint" >"$key_dir/serverkey.fingerprint"
  chown www-data:www-data "$key_dir/serverkey.fingerprint"
  chmod 0644 "$key_dir/serverkey.fingerprint"
fi
# Passbolt signs and decrypts with the key from its keyring: import it when the keyring lost it (restored guest).
if ! pgp --list-secret-keys "$server_fingerprint" >/dev/null 2>&1; then
  pgp --import "$key_dir/serverkey_private.asc"
fi
runuser -u www-data -- gpgconf --homedir "$gnupg_home" --kill gpg-agent`;
}
