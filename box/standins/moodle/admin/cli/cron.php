<?php
// Stand-in for Moodle's admin/cli/cron.php in the proxmox-sites box: records each run in the shared
// dataroot (who ran it, when), which is what the box checks.
define('CLI_SCRIPT', true);
require(__DIR__ . '/../../config.php');
@mkdir($CFG->dataroot . '/box', 02770, true);
file_put_contents($CFG->dataroot . '/box/cron.log', date('c') . ' ' . gethostname() . "\n", FILE_APPEND | LOCK_EX);
echo "Cron run completed correctly\n";
