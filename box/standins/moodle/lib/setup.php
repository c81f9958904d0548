<?php
// Stand-in for Moodle's lib/setup.php in the proxmox-sites box. It does what the site's scripts and
// checks rely on, with the real services config.php names: $DB on the MariaDB primary, sessions in
// Redis with the configured ACL user, prefix and locking, the shared dataroot.
global $CFG, $DB;
$CFG->dirroot = dirname(__DIR__);
defined('MOODLE_INTERNAL') || define('MOODLE_INTERNAL', true);

class box_database {
    public $pdo;
    private $prefix;

    public function __construct($cfg) {
        $dsn = "mysql:host={$cfg->dbhost};dbname={$cfg->dbname};charset=utf8mb4";
        $this->pdo = new PDO($dsn, $cfg->dbuser, $cfg->dbpass, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        $this->prefix = $cfg->prefix;
    }

    public function table($name) {
        return $this->prefix . $name;
    }

    public function get_tables($usecache = true) {
        $tables = [];
        $like = $this->pdo->quote(str_replace('_', '\\_', $this->prefix) . '%');
        foreach ($this->pdo->query("SHOW TABLES LIKE $like") as $row) {
            $name = substr($row[0], strlen($this->prefix));
            $tables[$name] = $name;
        }
        return $tables;
    }
}

/** Moodle's \core\session\redis in short: one key per session, a lock while a request holds it. */
class box_redis_sessions implements SessionHandlerInterface {
    private $redis;
    private $prefix;
    private $ttl;

    public function __construct($cfg) {
        $this->redis = new Redis();
        $this->redis->connect($cfg->session_redis_host, $cfg->session_redis_port, 2.0);
        $this->redis->auth($cfg->session_redis_auth);
        $this->redis->info(); // Moodle runs INFO on connect: the ACL user must be allowed it.
        $this->redis->select($cfg->session_redis_database);
        $this->prefix = $cfg->session_redis_prefix;
        $this->ttl = 7200;
    }
    public function open($path, $name): bool { return true; }
    public function close(): bool { return true; }
    public function read($id): string|false {
        $value = $this->redis->get($this->prefix . $id);
        return $value === false ? '' : $value;
    }
    public function write($id, $data): bool {
        return $this->redis->setex($this->prefix . $id, $this->ttl, $data);
    }
    public function destroy($id): bool {
        $this->redis->del($this->prefix . $id);
        return true;
    }
    public function gc($max): int|false { return 0; }
}

$DB = new box_database($CFG);
try {
    $version = $DB->pdo->query("SELECT value FROM {$DB->table('config')} WHERE name = 'version'")->fetchColumn();
    $CFG->version = $version === false ? null : $version;
} catch (PDOException $e) {
    $CFG->version = null;
}

if (!defined('CLI_SCRIPT') && !defined('NO_MOODLE_COOKIES')) {
    session_set_save_handler(new box_redis_sessions($CFG), true);
    session_name('MoodleSession');
    session_start();
}
