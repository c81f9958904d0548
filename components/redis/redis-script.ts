/**
 * Provisioning script of the Redis guest: install redis-server when missing, write redis.conf and the
 * ACL file (password hashes filled from the stdin prelude), restart only when one of them changed.
 * Pure: no Pulumi import.
 */
import { renderAptInstallUnless } from "../proxmox/apt";
import { renderScript } from "../proxmox/script";
import { RedisAclInput, redisScriptEnv, renderRedisAcl } from "./redis-acl";
import { REDIS_ACL_PATH, REDIS_CONFIG_PATH, RedisServerInput, renderRedisConfig } from "./redis-config";

export interface RedisScriptInput {
  /** Server settings (address, memory, paths). */
  server: RedisServerInput;
  /** Users. */
  acl: RedisAclInput;
  /** Where redis.conf goes. Default /etc/redis/redis.conf (the file Debian's unit starts with). */
  configPath?: string;
}

/**
 * The script. Both files are mode 0640, owner redis:redis (the ACL file holds only hashes). A changed
 * file restarts redis-server (the AOF keeps sessions and queues across it); an unchanged one does not.
 */
export function renderRedisScript(input: RedisScriptInput): string {
  const env = redisScriptEnv(input.acl);
  const configPath = input.configPath ?? REDIS_CONFIG_PATH;
  const aclPath = input.server.aclFile ?? REDIS_ACL_PATH;
  return renderScript({
    summary: `Redis on ${input.server.bindAddress}:${input.server.port ?? 6379} with ${input.acl.apps.length} application user(s)`,
    requiredEnv: env,
    setup: [
      "sha256_hex='^[0-9a-f]{64}$'",
      ...env.map(
        (name) =>
          `[[ $${name} =~ $sha256_hex ]] || { echo "${name} must be a lower-case hex SHA-256 of the password" >&2; exit 1; }`,
      ),
      "# redis-server from the distribution, only when missing.",
      renderAptInstallUnless("redis-server", ["redis-server"]),
      "redis_restart=0",
    ].join("\n"),
    files: [
      {
        path: aclPath,
        content: renderRedisAcl(input.acl),
        mode: "0640",
        owner: "redis:redis",
        onChange: "redis_restart=1",
      },
      {
        path: configPath,
        content: renderRedisConfig(input.server),
        mode: "0640",
        owner: "redis:redis",
        onChange: "redis_restart=1",
      },
    ],
    body: [
      "systemctl is-enabled --quiet redis-server || systemctl enable --quiet redis-server",
      'if [ "$redis_restart" = 1 ]; then',
      "  systemctl restart redis-server",
      "elif ! systemctl is-active --quiet redis-server; then",
      "  systemctl start redis-server",
      "fi",
    ].join("\n"),
  });
}
