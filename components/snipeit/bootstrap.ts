/**
 * Snipe-IT shows its setup wizard until the database holds a user AND a settings row, and whoever reaches
 * `/setup` first becomes superuser. `artisan snipeit:create-admin` makes only the user, so this PHP helper,
 * run as www-data by the provisioning script, boots the Laravel app and makes both the way the wizard does:
 * the administrator through `snipeit:create-admin` (called in-process, so the password never appears on a
 * command line) and the settings row through the Setting model. It does nothing once both exist.
 * Pure: no Pulumi import.
 */
import { phpString } from "../proxmox/php-string";
import { SnipeItInput, resolveSnipeItInput } from "./types";

/** Where the script installs the helper inside the guest. */
export const SNIPEIT_BOOTSTRAP_PATH = "/usr/local/lib/proxmox-sites/snipeit-first-run.php";

/** The helper's PHP text (no secret: it reads SNIPEIT_ADMIN_PASSWORD from its environment). */
export function renderSnipeItBootstrapPhp(input: SnipeItInput): string {
  const s = resolveSnipeItInput(input);
  if (!s.admin) throw new Error("snipeit.admin: the first-run helper needs the administrator");
  const a = s.admin;
  const domain = a.email.split("@")[1];
  return `<?php
// Rendered by proxmox-sites: first administrator and settings row of Snipe-IT, made as the setup wizard
// makes them. Run as www-data by the provisioning script; does nothing once both exist.
declare(strict_types=1);

use App\\Models\\Setting;
use App\\Models\\User;
use Illuminate\\Support\\Facades\\Artisan;

$appDir = ${phpString(s.installDirectory)};
require $appDir . '/vendor/autoload.php';
$app = require $appDir . '/bootstrap/app.php';
$app->make(Illuminate\\Contracts\\Console\\Kernel::class)->bootstrap();

$password = getenv('SNIPEIT_ADMIN_PASSWORD');
if (!is_string($password) || $password === '') {
    fwrite(STDERR, "SNIPEIT_ADMIN_PASSWORD is not set\\n");
    exit(1);
}

if (User::withTrashed()->count() === 0) {
    $status = Artisan::call('snipeit:create-admin', [
        '--first_name' => ${phpString(a.firstName)},
        '--last_name' => ${phpString(a.lastName)},
        '--email' => ${phpString(a.email)},
        '--username' => ${phpString(a.username)},
        '--password' => $password,
    ]);
    if ($status !== 0 || User::count() === 0) {
        fwrite(STDERR, "snipeit:create-admin failed: " . Artisan::output());
        exit(1);
    }
    echo "created the first administrator\\n";
}

if (Setting::count() === 0) {
    $admin = User::orderBy('id')->firstOrFail();
    $settings = new Setting();
    $settings->site_name = ${phpString(s.siteName)};
    $settings->alert_email = ${phpString(a.email)};
    $settings->alerts_enabled = 1;
    $settings->pwd_secure_min = 10;
    $settings->brand = 1;
    $settings->locale = ${phpString(s.locale)};
    $settings->default_currency = ${phpString(s.currency)};
    $settings->user_id = $admin->id;
    $settings->email_domain = ${phpString(domain)};
    $settings->email_format = 'filastname';
    $settings->username_format = 'filastname';
    $settings->auto_increment_assets = 0;
    $settings->next_auto_tag_base = 1;
    $settings->zerofill_count = 5;
    $settings->full_multiple_companies_support = 0;
    if (!$settings->save()) {
        fwrite(STDERR, "the settings row was not saved: " . json_encode($settings->getErrors()) . "\\n");
        exit(1);
    }
    echo "created the settings row\\n";
}
`;
}
