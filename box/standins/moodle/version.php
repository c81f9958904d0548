<?php
// Stand-in for Moodle's version.php in the proxmox-sites box (Moodle's code cannot be downloaded there).
defined('MOODLE_INTERNAL') || define('MOODLE_INTERNAL', true);
$version = 2024100700;
$release = '4.5 (proxmox-sites box stand-in)';
$branch = '405';
$maturity = 200;
