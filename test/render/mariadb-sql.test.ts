import fc from "fast-check";
import {
  checkAccountHost,
  checkDatabaseName,
  checkUserName,
  mariadbAppPasswordHashEnv,
  mariadbPasswordHash,
} from "../../components/database/mariadb-names";
import {
  checkAppDatabases,
  renderAppDatabaseSql,
  renderChangeMasterSql,
  renderMonitorUserSql,
  renderReplicationUserSql,
  renderSecuringSql,
} from "../../components/database/mariadb-sql";
import { renderPrelude } from "../../components/proxmox/script";
import { placeholdersIn } from "../../components/proxmox/secret-forms";

const identifier = fc.stringMatching(/^[a-z0-9_]{1,32}$/).filter((s) => !/^[0-9]+$/.test(s));

describe("identifiers", () => {
  test("every name of a-z, 0-9 and _ is accepted (unless reserved or only digits)", () => {
    const reserved = ["root", "mysql", "public", "none", "test", "sys", "debian_sys_maint"];
    fc.assert(
      fc.property(identifier, (name) => {
        fc.pre(!reserved.includes(name));
        expect(checkUserName("user", name)).toBe(name);
        expect(checkDatabaseName("database", name)).toBe(name);
      }),
    );
  });

  test("a name with any other character is rejected", () => {
    const bad = fc
      .tuple(identifier, fc.string({ minLength: 1, maxLength: 3 }), identifier)
      .map(([a, b, c]) => `${a}${b}${c}`)
      .filter((s) => !/^[a-z0-9_]+$/.test(s));
    fc.assert(
      fc.property(bad, (name) => {
        expect(() => checkUserName("user", name)).toThrow(/user: ".*" must be/s);
        expect(() => checkDatabaseName("database", name)).toThrow(/database/);
      }),
    );
  });

  test.each(["root", "mysql", "123", "", "a".repeat(33), "Nextcloud", "next-cloud", "x'y"])(
    "user %p is rejected",
    (n) => expect(() => checkUserName("user", n)).toThrow(),
  );
  test.each(["mysql", "information_schema", "performance_schema", "sys", "test"])(
    "database %p is reserved",
    (n) => expect(() => checkDatabaseName("database", n)).toThrow(/reserved/),
  );

  test("hosts are addresses or localhost, never names or patterns", () => {
    expect(checkAccountHost("h", "192.168.0.40")).toBe("192.168.0.40");
    expect(checkAccountHost("h", "localhost")).toBe("localhost");
    expect(checkAccountHost("h", "fd00:0::1")).toBe("fd00::1");
    for (const bad of ["%", "192.168.0.%", "nextcloud.lan", "192.168.0.0/24", "' OR 1"]) {
      expect(() => checkAccountHost("clientHosts", bad)).toThrow(/clientHosts/);
    }
  });

  test("an application's hash variable is a valid prelude name derived from the user", () => {
    expect(mariadbAppPasswordHashEnv("nextcloud_bowbo")).toBe("MARIADB_APP_NEXTCLOUD_BOWBO_PASSWORD_HASH");
    fc.assert(
      fc.property(identifier, (name) => {
        fc.pre(checkUserNameSafe(name));
        expect(() => renderPrelude({ [mariadbAppPasswordHashEnv(name)]: "x" })).not.toThrow();
      }),
    );
  });
});

function checkUserNameSafe(name: string): boolean {
  try {
    checkUserName("u", name);
    return true;
  } catch {
    return false;
  }
}

describe("mariadbPasswordHash", () => {
  test("matches MariaDB's PASSWORD() (public test vector for 'test')", () => {
    expect(mariadbPasswordHash("test")).toBe("*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29");
  });
  test("is always * and 40 upper-case hex digits, and differs between passwords", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(mariadbPasswordHash(a)).toMatch(/^\*[0-9A-F]{40}$/);
        if (a !== b) expect(mariadbPasswordHash(a)).not.toBe(mariadbPasswordHash(b));
      }),
    );
  });
});

describe("SQL", () => {
  test("securing runs with the binary log off and removes anonymous, remote root and test", () => {
    const sql = renderSecuringSql();
    const statements = sql.split("\n").filter((l) => l !== "" && !l.startsWith("--"));
    expect(statements[0]).toBe("SET SESSION sql_log_bin = 0;");
    expect(statements.at(-1)).toBe("SET SESSION sql_log_bin = 1;");
    expect(sql).toContain("WHERE User = ''");
    expect(sql).toContain("User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1')");
    expect(sql).toContain("DROP DATABASE IF EXISTS test;");
    expect(placeholdersIn(sql)).toEqual([]);
  });

  test("an application gets ALL on its own database only, from each of its addresses", () => {
    const sql = renderAppDatabaseSql({
      database: "moodle_site",
      user: "moodle",
      clientHosts: ["10.0.0.5", "10.0.0.6", "10.0.0.5"],
    });
    expect(sql).toContain(
      "CREATE DATABASE IF NOT EXISTS `moodle_site` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;",
    );
    for (const host of ["10.0.0.5", "10.0.0.6"]) {
      const account = `'moodle'@'${host}'`;
      expect(sql).toContain(
        `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY PASSWORD '@@MARIADB_APP_MOODLE_PASSWORD_HASH@@';`,
      );
      expect(sql).toContain(
        `ALTER USER ${account} IDENTIFIED BY PASSWORD '@@MARIADB_APP_MOODLE_PASSWORD_HASH@@';`,
      );
      // `_` is a wildcard in grants: escaped, so the grant covers moodle_site and nothing else.
      expect(sql).toContain(`GRANT ALL PRIVILEGES ON \`moodle\\_site\`.* TO ${account};`);
    }
    expect(sql.match(/^GRANT/gm)).toHaveLength(2);
    expect(placeholdersIn(sql)).toEqual(["MARIADB_APP_MOODLE_PASSWORD_HASH"]);
  });

  test("application lists may not claim a database or user twice, and need an address", () => {
    const app = { database: "nc", user: "nc", clientHosts: ["10.0.0.5"] };
    expect(() => checkAppDatabases([app, { ...app, user: "other" }])).toThrow(/database nc is listed twice/);
    expect(() => checkAppDatabases([app, { ...app, database: "other" }])).toThrow(/user nc is listed twice/);
    expect(() => renderAppDatabaseSql({ ...app, clientHosts: [] })).toThrow(/at least one address/);
    expect(() => renderAppDatabaseSql({ ...app, collation: "latin1_swedish_ci" })).toThrow(/utf8mb4/);
  });

  test("replication account: REPLICATION SLAVE only, per replica address, password as a hash", () => {
    const sql = renderReplicationUserSql({ replicaHosts: ["192.168.0.11"] });
    expect(sql).toContain("GRANT REPLICATION SLAVE ON *.* TO 'replication'@'192.168.0.11';");
    expect(placeholdersIn(sql)).toEqual(["MARIADB_REPLICATION_PASSWORD_HASH"]);
    expect(() => renderReplicationUserSql({ replicaHosts: [] })).toThrow(/replicaHosts/);
  });

  test("monitoring account: exporter privileges and a connection limit", () => {
    const sql = renderMonitorUserSql();
    expect(sql).toContain(
      "GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO 'exporter'@'localhost';",
    );
    expect(sql).toContain("WITH MAX_USER_CONNECTIONS 3;");
    expect(renderMonitorUserSql({ hosts: ["192.168.0.31"], maxConnections: 5 })).toContain(
      "'exporter'@'192.168.0.31' IDENTIFIED BY PASSWORD '@@MARIADB_MONITOR_PASSWORD_HASH@@' WITH MAX_USER_CONNECTIONS 5;",
    );
  });

  test("CHANGE MASTER uses GTID slave_pos and takes the password from the prelude", () => {
    const sql = renderChangeMasterSql({ primaryHost: "192.168.0.10" });
    expect(sql).toMatch(/^STOP SLAVE;\nCHANGE MASTER TO\n/);
    expect(sql).toContain("MASTER_HOST = '192.168.0.10',");
    expect(sql).toContain("MASTER_USE_GTID = slave_pos,");
    expect(sql).toMatch(/START SLAVE;\n$/);
    expect(placeholdersIn(sql)).toEqual(["MARIADB_REPLICATION_PASSWORD"]);
    expect(() => renderChangeMasterSql({ primaryHost: "db-primary" })).toThrow(/primaryHost/);
  });
});
