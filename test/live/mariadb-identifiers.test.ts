/**
 * The identifier rules the stack is validated with, on a real MariaDB: the longest Nextcloud key the
 * schema accepts becomes a database and account through the rendered script, and the server's own
 * limits (64 characters for a database; 128 for a user in Debian 12's MariaDB 10.11) lie at or above
 * the ones we enforce.
 * The server runs with --skip-networking: it listens on a Unix socket in the scratch directory only.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  MARIADB_DATABASE_NAME_MAX,
  MARIADB_USER_NAME_MAX,
  NEXTCLOUD_KEY_MAX,
  nextcloudAccountName,
} from "../../config/identifiers";
import { nextcloudInstanceKey } from "../../config/primitives";
import { mariadbAppsSecrets, renderMariaDbAppsScript } from "../../components/database/mariadb-scripts";
import { renderPrelude } from "../../components/proxmox/script";
import { run, scratchDir, stopAllDaemons } from "./support/daemon";
import { startScratchMariaDb } from "./support/mariadb";

let scratch: { path: string; remove: () => void };
let socket: string;

const sql = (query: string) => run("mariadb", [`--socket=${socket}`, "-N", "-B", "-r", "-e", query]);

beforeAll(async () => {
  scratch = scratchDir("mariadb-identifiers");
  socket = await startScratchMariaDb("mariadb-identifiers", scratch.path);
  run("mkdir", ["-p", join(scratch.path, "bin")]);
  writeFileSync(join(scratch.path, "bin", "systemctl"), "#!/bin/sh\nexit 0\n");
  chmodSync(join(scratch.path, "bin", "systemctl"), 0o755);
}, 60000);

afterAll(async () => {
  await stopAllDaemons();
  scratch?.remove();
});

test("the longest Nextcloud key the schema accepts becomes a database and an account", () => {
  const key = `n${"0123456789abcdefghijklmnopqrstuvwxyz".slice(0, NEXTCLOUD_KEY_MAX - 1)}`;
  expect(nextcloudInstanceKey.safeParse(key).success).toBe(true);
  expect(nextcloudInstanceKey.safeParse(`${key}x`).success).toBe(false);
  const name = nextcloudAccountName(key);
  expect(name).toHaveLength(MARIADB_USER_NAME_MAX);
  const script = renderMariaDbAppsScript({
    apps: [{ database: name, user: name, clientHosts: ["10.10.0.40"] }],
  });
  const env = mariadbAppsSecrets({ [name]: randomBytes(18).toString("base64url") });
  const r = run("bash", ["-s"], renderPrelude(env) + script, {
    PROVISION_ROOT: join(scratch.path, "root"),
    MARIADB_CLIENT: `mariadb --socket=${socket}`,
    PATH: `${join(scratch.path, "bin")}:${process.env.PATH ?? ""}`,
  });
  expect(r.status).toBe(0);
  expect(
    sql(`SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`).stdout.trim(),
  ).toBe(name);
  expect(sql(`SHOW GRANTS FOR '${name}'@'10.10.0.40'`).stdout).toContain(
    `ON \`${name.replace(/_/g, "\\_")}\`.*`,
  );
});

test("the server's own limits lie at or above ours: 64 characters for a database, 128 for a user", () => {
  expect(MARIADB_DATABASE_NAME_MAX).toBe(64);
  expect(sql(`CREATE DATABASE \`${"d".repeat(64)}\``).status).toBe(0);
  expect(sql(`CREATE DATABASE \`${"d".repeat(65)}\``).status).not.toBe(0);
  expect(sql(`CREATE USER '${"u".repeat(128)}'@'localhost'`).status).toBe(0);
  expect(sql(`CREATE USER '${"u".repeat(129)}'@'localhost'`).status).not.toBe(0);
  expect(MARIADB_USER_NAME_MAX).toBeLessThanOrEqual(128);
});
