/**
 * Small PHP command-line helpers the installer script runs as www-data inside an app node: "is Moodle
 * installed?", the installer wrapper that hands the admin password over without a command-line argument,
 * and the MUC step that puts the application cache in Redis. Each reads secrets from its environment.
 * Pure: renders PHP text.
 */
import { isHostName, isIpv4, isPort, type MoodleLayout, Problems } from "./layout";
import { isRedisUser, phpRedisAuth, phpString } from "./config-php";

/** Prints `empty`, `installed` or `partial` for the database config.php points at. */
export function renderInstallStatePhp(l: MoodleLayout): string {
  return [
    "<?php // Is Moodle installed in its database? Rendered by proxmox-sites.",
    "define('CLI_SCRIPT', true);",
    `require(${phpString(`${l.codeDir}/config.php`)});`,
    "$tables = $DB->get_tables(false);",
    "if (empty($tables)) {",
    '    echo "empty\\n";',
    "} else if (isset($tables['config']) && !empty($CFG->version)) {",
    '    echo "installed\\n";',
    "} else {",
    '    echo "partial\\n";',
    "}",
    "",
  ].join("\n");
}

/** Runs Moodle's `admin/cli/install_database.php` with `--adminpass` taken from MOODLE_ADMIN_PASSWORD. */
export function renderInstallWrapperPhp(l: MoodleLayout): string {
  return [
    "<?php // Moodle's database installer; the admin password never appears on a command line.",
    "$password = getenv('MOODLE_ADMIN_PASSWORD');",
    "if ($password === false || $password === '') {",
    '    fwrite(STDERR, "MOODLE_ADMIN_PASSWORD is not set\\n");',
    "    exit(2);",
    "}",
    "putenv('MOODLE_ADMIN_PASSWORD');",
    "$_SERVER['argv'][] = '--adminpass=' . $password;",
    "$_SERVER['argc'] = count($_SERVER['argv']);",
    "$argv = $_SERVER['argv'];",
    "$argc = $_SERVER['argc'];",
    `require(${phpString(`${l.codeDir}/admin/cli/install_database.php`)});`,
    "",
  ].join("\n");
}

export interface MucRedisInput {
  /** Redis host and port of the application cache. */
  host: string;
  /** Default 6379. */
  port?: number;
  /** Redis ACL user (see `MoodleRedisSessions.user`); without it Moodle authenticates as the default user. */
  user?: string;
  /** Key prefix, distinct from the sessions'; may hold `:` (an ACL user's `moodle:` prefix). Default `mdl_muc_`. */
  prefix?: string;
  /** Name of the store instance in Moodle. Default `redis_application`. */
  storeName?: string;
  /** The resolved layout (`resolveLayout`): where config.php is. */
  layout: MoodleLayout;
}

/**
 * Adds (or corrects) a Redis cache store and maps the application mode to it; prints `changed` or
 * `unchanged`. The MUC config lives in the shared dataroot, so one run on one node serves every node.
 */
export function renderMucSetupPhp(input: MucRedisInput): string {
  const l = input.layout;
  const port = input.port ?? 6379;
  const prefix = input.prefix ?? "mdl_muc_";
  const name = input.storeName ?? "redis_application";
  const p = new Problems("moodle.muc");
  p.check(isIpv4(input.host) || isHostName(input.host), "host", input.host, "an address or host name");
  p.check(isPort(port), "port", port, "a port");
  p.check(/^[A-Za-z0-9_:-]{1,32}$/.test(prefix), "prefix", prefix, "a prefix of [A-Za-z0-9_:-]");
  if (input.user !== undefined)
    p.check(isRedisUser(input.user), "user", input.user, "a Redis ACL user of [a-z0-9_-]");
  p.check(/^[a-z][a-z0-9_]{0,39}$/.test(name), "storeName", name, "a name of [a-z0-9_]");
  p.throwIfAny();
  return [
    "<?php // Moodle's application cache in Redis. Rendered by proxmox-sites; safe to run again.",
    "define('CLI_SCRIPT', true);",
    `require(${phpString(`${l.codeDir}/config.php`)});`,
    "if (!class_exists('cache_config_writer')) {",
    "    require_once($CFG->dirroot . '/cache/locallib.php');",
    "}",
    "$password = getenv('MOODLE_REDIS_PASSWORD');",
    "if ($password === false || $password === '') {",
    '    fwrite(STDERR, "MOODLE_REDIS_PASSWORD is not set\\n");',
    "    exit(2);",
    "}",
    `$name = ${phpString(name)};`,
    "$wanted = [",
    `    'server' => ${phpString(`${input.host}:${port}`)},`,
    `    'prefix' => ${phpString(prefix)},`,
    `    'password' => ${phpRedisAuth(input.user, "$password")},`,
    "    'serializer' => 1, // Redis::SERIALIZER_PHP",
    "    'compressor' => 0,",
    "];",
    "$writer = cache_config_writer::instance();",
    "$changed = false;",
    "$stores = $writer->get_all_stores();",
    "if (!isset($stores[$name])) {",
    "    $writer->add_store_instance($name, 'redis', $wanted);",
    "    $changed = true;",
    "} else {",
    "    $current = $stores[$name]['configuration'] ?? [];",
    "    // Scalars as strings (the admin form stores numbers as text); an ACL [user, password] as it is.",
    "    $same = fn($a, $b) => (is_array($a) || is_array($b)) ? $a === $b : (string) $a === (string) $b;",
    "    foreach ($wanted as $key => $value) {",
    "        if (!array_key_exists($key, $current) || !$same($current[$key], $value)) {",
    "            $writer->edit_store_instance($name, 'redis', $wanted);",
    "            $changed = true;",
    "            break;",
    "        }",
    "    }",
    "}",
    "$application = [];",
    "foreach ($writer->get_mode_mappings() as $mapping) {",
    "    if ((int) $mapping['mode'] === cache_store::MODE_APPLICATION) {",
    "        $application[] = $mapping['store'];",
    "    }",
    "}",
    "if ($application !== [$name]) {",
    "    $writer->set_mode_mappings([",
    "        cache_store::MODE_APPLICATION => [$name],",
    "        cache_store::MODE_SESSION => ['default_session'],",
    "        cache_store::MODE_REQUEST => ['default_request'],",
    "    ]);",
    "    $changed = true;",
    "}",
    'echo $changed ? "changed\\n" : "unchanged\\n";',
    "",
  ].join("\n");
}
