/**
 * Steps shared by the TurnKey Linux templates (Nextcloud 18.1, Snipe-IT 18.0). Pure: no Pulumi import.
 *
 * A headless TurnKey guest (an LXC template is one) boots with an "init fence": iptables redirect ports 80/443
 * to a page asking the operator to log in as root, and that first root login starts `turnkey-init`, whose hooks
 * reset the application's admin password and domain against the guest-local database. We configure the
 * application ourselves, so the fence must come down and the first-login wizard must not run. This is what
 * TurnKey's own `97turnkey-init-fence-disable` hook does at the end of `turnkey-init`.
 */

/** Bash that takes the TurnKey init fence down and keeps the first-login wizard from running; a no-op elsewhere. */
export function renderTurnkeyFenceDown(): string {
  return [
    "# TurnKey init fence: it redirects 80/443 until turnkey-init ran; we configure the app ourselves.",
    "if systemctl is-enabled --quiet turnkey-init-fence 2>/dev/null || systemctl is-active --quiet turnkey-init-fence 2>/dev/null; then",
    "  systemctl disable --now turnkey-init-fence",
    "fi",
    "for hook in /root/.profile.d/turnkey-init-fence /home/admin/.profile.d/turnkey-init-fence /usr/lib/inithooks/firstboot.d/??turnkey-init-fence*; do",
    '  if [ -f "$hook" ] && [ -x "$hook" ]; then chmod -x "$hook"; fi',
    "done",
  ].join("\n");
}
