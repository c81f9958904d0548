<?php
// Stand-in for Moodle's cache/locallib.php in the proxmox-sites box: the cache configuration lives
// in the shared dataroot (muc/config.json), as Moodle keeps it in $CFG->dataroot/muc.
class cache_store {
    const MODE_APPLICATION = 1;
    const MODE_SESSION = 2;
    const MODE_REQUEST = 4;
}

class cache_config_writer {
    private $file;

    public static function instance() {
        return new self();
    }

    private function __construct() {
        global $CFG;
        $this->file = $CFG->dataroot . '/muc/config.json';
    }

    private function load() {
        $config = is_file($this->file) ? json_decode(file_get_contents($this->file), true) : null;
        return $config ?: ['stores' => [], 'mappings' => [
            ['mode' => cache_store::MODE_APPLICATION, 'store' => 'default_application'],
            ['mode' => cache_store::MODE_SESSION, 'store' => 'default_session'],
            ['mode' => cache_store::MODE_REQUEST, 'store' => 'default_request'],
        ]];
    }

    private function save($config) {
        @mkdir(dirname($this->file), 02770, true);
        file_put_contents($this->file, json_encode($config, JSON_PRETTY_PRINT), LOCK_EX);
    }

    public function get_all_stores() {
        return $this->load()['stores'];
    }

    public function add_store_instance($name, $plugin, array $configuration = []) {
        $config = $this->load();
        $config['stores'][$name] = ['name' => $name, 'plugin' => $plugin, 'configuration' => $configuration];
        $this->save($config);
        return true;
    }

    public function edit_store_instance($name, $plugin, $configuration) {
        return $this->add_store_instance($name, $plugin, $configuration);
    }

    public function get_mode_mappings() {
        return $this->load()['mappings'];
    }

    public function set_mode_mappings(array $modemappings) {
        $config = $this->load();
        $config['mappings'] = [];
        foreach ($modemappings as $mode => $stores) {
            foreach ($stores as $store) {
                $config['mappings'][] = ['mode' => $mode, 'store' => $store];
            }
        }
        $this->save($config);
        return true;
    }
}
