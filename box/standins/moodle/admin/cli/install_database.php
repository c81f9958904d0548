<?php
// Stand-in for Moodle's admin/cli/install_database.php in the proxmox-sites box: takes the same
// options, creates the tables the stand-in uses in the configured database, and answers like Moodle.
define('CLI_SCRIPT', true);
require(__DIR__ . '/../../config.php');
$options = [];
foreach (array_slice($_SERVER['argv'], 1) as $arg) {
    if (preg_match('/^--([a-z-]+)(?:=(.*))?$/s', $arg, $m)) {
        $options[$m[1]] = $m[2] ?? true;
    }
}
foreach (['agree-license', 'adminpass'] as $required) {
    if (empty($options[$required])) {
        fwrite(STDERR, "--$required is required\n");
        exit(1);
    }
}
if ($DB->get_tables()) {
    fwrite(STDERR, "Database tables already present; CLI installation cannot continue.\n");
    exit(1);
}
$DB->pdo->exec("CREATE TABLE {$DB->table('config')} (name VARCHAR(100) PRIMARY KEY, value TEXT)");
$DB->pdo->exec("CREATE TABLE {$DB->table('user')} (username VARCHAR(100) PRIMARY KEY, password VARCHAR(255))");
$insert = $DB->pdo->prepare("INSERT INTO {$DB->table('config')} (name, value) VALUES (?, ?)");
$insert->execute(['version', '2024100700']);
$insert->execute(['fullname', $options['fullname'] ?? '']);
$user = $DB->pdo->prepare("INSERT INTO {$DB->table('user')} (username, password) VALUES (?, ?)");
$user->execute([$options['adminuser'] ?? 'admin', password_hash($options['adminpass'], PASSWORD_DEFAULT)]);
echo "Installation completed successfully.\n";
