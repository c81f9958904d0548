<?php
// Shared files in the Moodle stand-in of the proxmox-sites box: ?write=<name> stores the request body
// in the shared dataroot, ?read=<name> returns it; the box checks that every node sees every write.
define('NO_MOODLE_COOKIES', true);
require(__DIR__ . '/../config.php');
header('Content-Type: text/plain');
$dir = $CFG->dataroot . '/box/files';
$name = $_GET['write'] ?? $_GET['read'] ?? '';
if (!preg_match('/^[a-z0-9-]{1,64}$/', $name)) {
    http_response_code(400);
    exit("bad name\n");
}
if (isset($_GET['write'])) {
    @mkdir($dir, 02770, true);
    file_put_contents("$dir/$name", file_get_contents('php://input'), LOCK_EX);
    echo gethostname(), "\n";
} else if (is_file("$dir/$name")) {
    readfile("$dir/$name");
} else {
    http_response_code(404);
}
