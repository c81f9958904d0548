/**
 * The generic web cluster's rendered files on the real daemons (haproxy -c, keepalived -t, nginx -t,
 * php-fpm -t, systemd-analyze verify, shellcheck), planned from the web-cluster profile exactly as
 * `new-client` writes it, and its app node script run twice into a scratch root.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { siteWiring } from "../../config/wiring";
import { validateSiteConfig } from "../../config/validate";
import { renderWebAppNodeScript, renderNodeService } from "../../components/web-cluster/app-node";
import { renderBalancerScript } from "../../components/web-cluster/balancer-script";
import {
  renderWebCronScript,
  renderWebCronService,
  renderWebCronTimer,
} from "../../components/web-cluster/cron";
import { renderHaproxyConfig } from "../../components/web-cluster/haproxy";
import { renderKeepalivedConfig } from "../../components/web-cluster/keepalived";
import { renderWebNginxSite } from "../../components/web-cluster/nginx";
import { renderWebPhpIni, renderWebPhpPool } from "../../components/web-cluster/php";
import { planWebCluster, type WebClusterPlan } from "../../components/web-cluster/plan";
import { loadProfile, scaffoldStack } from "../../scripts/lib/scaffold";
import { findProgram, run, scratchDir } from "../live/support/daemon";
import { expectCleanShell } from "../live/support/shell";
import { createSandbox } from "../live/fixtures/moodle/sandbox";

let dir: { path: string; remove: () => void };
let plan: WebClusterPlan;

function write(name: string, content: string): string {
  const path = join(dir.path, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

beforeAll(() => {
  dir = scratchDir("web-cluster-render");
  const scaffold = scaffoldStack({
    name: "portal",
    profile: loadProfile(resolve(__dirname, "../.."), "web-cluster"),
    subnet: "10.30.0.0/24",
  });
  const { config } = validateSiteConfig("portal", scaffold.values);
  const wiring = siteWiring(config);
  plan = planWebCluster({
    name: "portal",
    cluster: config.webClusters!.portal,
    guests: wiring.guests,
    networkCidr: config.network.cidr,
    tunnelConnectorIps: ["10.30.0.21", "10.30.0.22"],
    database: { host: "10.30.0.10", port: 3306, name: "web_portal", user: "web_portal" },
    redis: { host: "10.30.0.12", port: 6379, user: "web_portal", keyPrefix: "web_portal:" },
    proxmoxNodes: config.proxmox.nodes,
  });
});
afterAll(() => dir.remove());

test("the plan: two balancers with a VIP, three nodes, cron on app1, sessions and database in the environment", () => {
  expect(plan.balancers.map((b) => b.guest)).toEqual(["portal-lb1", "portal-lb2"]);
  expect(plan.nodes.map((n) => [n.guest, n.cron.enabled])).toEqual([
    ["portal-app1", true],
    ["portal-app2", false],
    ["portal-app3", false],
  ]);
  const node = plan.nodes[0].input;
  expect(node.environment).toMatchObject({
    DB_HOST: "10.30.0.10",
    DB_NAME: "web_portal",
    DB_PASSWORD: "@@WEB_DB_PASSWORD@@",
    REDIS_USER: "web_portal",
    APP_URL: "https://portal.portal.example",
  });
  expect(node.redisSessions).toEqual({
    host: "10.30.0.12",
    port: 6379,
    user: "web_portal",
    prefix: "web_portal:sess:",
  });
  expect(plan.balancers[0].input.haproxy.nodes.map((n) => n.name)).toEqual(["app1", "app2", "app3"]);
  expect(plan.shared.storageId).toBe("portal-shared");
});

test("haproxy -c accepts each balancer's config, and keepalived -t the VRRP config", () => {
  for (const b of plan.balancers) {
    const cfg = renderHaproxyConfig(b.input.haproxy).replace("@@HAPROXY_STATS_PASSWORD@@", "x");
    expect(cfg).toContain("frontend portal\n");
    expect(cfg).toContain("backend portal_nodes\n");
    const path = write(`haproxy-${b.key}.cfg`, cfg);
    const check = run(findProgram("haproxy"), ["-c", "-f", path]);
    expect(check.status).toBe(0);
    const ka = renderKeepalivedConfig(b.input.keepalived!).replace(
      "@@KEEPALIVED_AUTH_PASSWORD@@",
      "abcdefgh",
    );
    expect(ka).toContain("vrrp_instance portal_vip {");
    const kpath = write(`keepalived-${b.key}.conf`, ka);
    const kcheck = run(findProgram("keepalived"), ["-t", "-f", kpath]);
    expect(kcheck.output).not.toMatch(/error|unknown/i);
    expect(kcheck.status).toBe(0);
  }
});

test("nginx -t accepts the PHP and the Node.js site", () => {
  const php = renderWebNginxSite({
    serverName: "portal.portal.example",
    listenPort: 80,
    trustedProxies: ["10.30.0.21", "127.0.0.1"],
    documentRoot: "/var/www/portal/public",
    healthUri: "/healthz",
    maxUploadMb: 64,
    runtime: {
      kind: "php",
      socketPath: join(dir.path, "fpm.sock"),
      healthScript: "/var/www/portal-health/health.php",
    },
  });
  const node = renderWebNginxSite({
    serverName: "portal.portal.example",
    listenPort: 80,
    trustedProxies: ["10.30.0.21"],
    documentRoot: "/var/www/portal/public",
    healthUri: "/healthz",
    maxUploadMb: 64,
    runtime: { kind: "node", port: 3000, sharedMarker: "/srv/shared/.proxmox-sites-shared" },
  });
  for (const [name, site] of [
    ["php", php],
    ["node", node],
  ]) {
    const sitePath = write(`nginx-${name}/site.conf`, site);
    const main = write(
      `nginx-${name}/nginx.conf`,
      `pid ${dir.path}/nginx-${name}.pid;\nerror_log ${dir.path}/nginx-${name}.log;\nevents {}\nhttp {\n  include /etc/nginx/mime.types;\n  include ${sitePath};\n}\n`,
    );
    expect(run(findProgram("nginx"), ["-t", "-c", main]).output).toContain("test is successful");
  }
});

test("php-fpm -t accepts the pool (sessions in Redis, environment) and the ini", () => {
  const input = plan.nodes[0].input;
  if (input.runtime.kind !== "php") throw new Error("the profile is PHP");
  const pool = renderWebPhpPool({
    name: "portal",
    socketPath: join(dir.path, "portal.sock"),
    sizing: input.runtime.sizing,
    environment: { ...input.environment, DB_PASSWORD: "pw", REDIS_PASSWORD: "pw" },
    redisSessions: { ...input.redisSessions!, passwordPlaceholder: "secretpw" },
  });
  expect(pool).toContain(
    'php_admin_value[session.save_path] = "tcp://10.30.0.12:6379?auth[]=web_portal&auth[]=secretpw&prefix=web_portal:sess:"',
  );
  const poolPath = write("fpm/pool.conf", pool);
  const iniDir = join(dir.path, "fpm/conf.d");
  write("fpm/conf.d/90-portal.ini", renderWebPhpIni({ memoryLimitMb: 256, maxUploadMb: 64 }));
  const main = write(
    "fpm/php-fpm.conf",
    `[global]\npid = ${dir.path}/fpm/fpm.pid\nerror_log = ${dir.path}/fpm/fpm.log\ninclude = ${poolPath}\n`,
  );
  const result = run(findProgram("php-fpm8.2"), ["-t", "-y", main], undefined, {
    PHP_INI_SCAN_DIR: `:${iniDir}`,
  });
  expect(result.output).toContain("test is successful");
});

test("systemd-analyze verify accepts the cron units and the Node.js service", () => {
  const cron = plan.nodes[0].cron;
  const units = join(dir.path, "units");
  mkdirSync(units, { recursive: true });
  const paths: string[] = [];
  for (const job of cron.jobs) {
    paths.push(write(`units/portal-cron-${job.name}.service`, renderWebCronService(cron, job)));
    paths.push(write(`units/portal-cron-${job.name}.timer`, renderWebCronTimer(cron, job)));
  }
  paths.push(
    write(
      "units/portal.service",
      renderNodeService({ cluster: "portal", layout: plan.layout, start: "server.js", port: 3000 }),
    ),
  );
  const result = run(findProgram("systemd-analyze"), ["verify", ...paths]);
  // Paths that exist only in the guest (code, environment file) are not units' errors here.
  const problems = result.output
    .split("\n")
    .filter(
      (l) =>
        l.trim() &&
        !/No such file or directory|is not executable|Failed to prepare filename|Unit .* not found/.test(l),
    );
  expect(problems).toEqual([]);
});

test("every script is shellcheck clean and carries no secret", () => {
  for (const b of plan.balancers) expectCleanShell(renderBalancerScript(b.input));
  for (const n of plan.nodes) {
    const script = renderWebAppNodeScript(n.input);
    expectCleanShell(script);
    expect(script).toContain('"${WEB_DB_PASSWORD:?');
    expect(script).toContain('"${WEB_REDIS_PASSWORD:?');
    expectCleanShell(renderWebCronScript(n.cron));
  }
  expect(renderBalancerScript(plan.balancers[0].input)).toContain("/etc/proxmox-sites/portal/haproxy.cfg");
});

test("the app node script: first run installs and reloads, the second changes nothing", () => {
  const box = createSandbox("web-cluster-app");
  try {
    mkdirSync(join(box.root, "etc/nginx/sites-enabled"), { recursive: true });
    writeFileSync(join(box.root, "etc/nginx/sites-enabled/default"), "server {}\n");
    mkdirSync(join(box.root, "etc/php/8.2/fpm/pool.d"), { recursive: true });
    writeFileSync(join(box.root, "etc/php/8.2/fpm/pool.d/www.conf"), "[www]\n");
    const env = {
      WEB_DB_PASSWORD: randomBytes(12).toString("hex"),
      WEB_REDIS_PASSWORD: randomBytes(12).toString("hex"),
    };
    const script = renderWebAppNodeScript(plan.nodes[1].input);
    const first = box.run(script, env);
    expect(first.output).toBe("");
    expect(first.status).toBe(0);
    expect(
      first.calls.some((c) => c.startsWith("git clone --quiet --depth 1 --single-branch --branch main")),
    ).toBe(true);
    expect(first.calls).toContain("systemctl start php8.2-fpm.service");
    expect(first.calls).toContain("systemctl start nginx.service");
    const envFile = readFileSync(join(box.root, "etc/proxmox-sites/portal/app.env"), "utf8");
    expect(envFile).toContain(`DB_PASSWORD=${env.WEB_DB_PASSWORD}`);
    expect(readFileSync(join(box.root, "etc/php/8.2/fpm/pool.d/portal.conf"), "utf8")).toContain(
      `auth[]=${env.WEB_REDIS_PASSWORD}`,
    );
    expect(existsSync(join(box.root, "etc/php/8.2/fpm/pool.d/www.conf"))).toBe(false);
    const before = box.tree();
    const second = box.run(script, env);
    expect(second.status).toBe(0);
    expect(second.calls.filter((c) => !c.startsWith("systemctl is-"))).toEqual([]);
    expect(box.tree()).toEqual(before);
  } finally {
    box.remove();
  }
});

test("cron: timers on the cron node only; the other nodes retire them", () => {
  const box = createSandbox("web-cluster-cron");
  try {
    const on = box.run(renderWebCronScript(plan.nodes[0].cron));
    expect(on.status).toBe(0);
    expect(on.calls).toContain("systemctl enable --quiet portal-cron-cleanup.timer");
    expect(readFileSync(join(box.root, "etc/systemd/system/portal-cron-cleanup.service"), "utf8")).toContain(
      "ExecStart=/bin/sh -c 'php bin/cleanup.php'",
    );
    // The same guest made a non-cron node (cronNode moved): the timer goes.
    const off = box.run(renderWebCronScript(plan.nodes[1].cron));
    expect(off.status).toBe(0);
    expect(off.calls).toContain("systemctl disable --now --quiet portal-cron-cleanup.timer");
    expect(existsSync(join(box.root, "etc/systemd/system/portal-cron-cleanup.timer"))).toBe(false);
  } finally {
    box.remove();
  }
});
