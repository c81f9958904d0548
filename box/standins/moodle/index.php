<?php
// Front page of the Moodle stand-in in the proxmox-sites box: answers which node served the request
// and how many requests this session made (sessions live in Redis, so they survive their node).
require(__DIR__ . '/config.php');
header('Content-Type: application/json');
header('Cache-Control: no-store');
$_SESSION['hits'] = ($_SESSION['hits'] ?? 0) + 1;
echo json_encode(['node' => gethostname(), 'hits' => $_SESSION['hits'], 'installed' => !empty($CFG->version)]), "\n";
