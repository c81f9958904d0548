/**
 * The web guests' renderers: nginx proxy config (proven live in test/live/web-frontends), systemd units
 * (checked by the real `systemd-analyze verify`), environment files and the provisioning script.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { renderScript } from "../../components/proxmox/script";
import { renderSecretCheck } from "../../components/proxmox/secret-checks";
import { NginxProxyInput, renderNginxProxyConfig } from "../../components/webapps/nginx";
import {
  renderWebGuestScript,
  webGuestFiles,
  webGuestOrigins,
  webGuestScriptEnv,
  WebGuestInput,
} from "../../components/webapps/render";
import { renderWebAppEnv, renderWebAppUnit, WebApp } from "../../components/webapps/service";
import { findProgram, run, scratchDir } from "../live/support/daemon";
import { expectCleanShell } from "../live/support/shell";

const app: WebApp = {
  name: "company-site",
  port: 3000,
  workingDirectory: "/srv/company-site",
  user: "webapp",
  execStart: "/usr/bin/npm run start",
  environment: { NEXT_TELEMETRY_DISABLED: "1" },
  secretEnvironment: { REVALIDATE_TOKEN: "WEB_REVALIDATE_TOKEN" },
};

const frontend: WebGuestInput = {
  listenAddress: "192.168.0.20",
  trustedProxies: ["192.168.0.30"],
  sites: [{ hostname: "www.bowbo.co.id", aliases: ["bowbo.co.id"], upstreamPort: 3000 }],
  apps: [app],
};

function secret(): string {
  return randomBytes(18).toString("base64url");
}

describe("nginx proxy config", () => {
  test("one server per site with its names, a 444 default server, trust only for the connector", () => {
    const text = renderNginxProxyConfig(frontend);
    expect(text).toContain("server_name www.bowbo.co.id bowbo.co.id;");
    expect(text).toMatch(/listen 192\.168\.0\.20:80 default_server;\s+server_name _;\s+return 444;/);
    expect(text).toContain("set_real_ip_from 192.168.0.30;");
    expect(text).toContain("real_ip_header CF-Connecting-IP;");
    expect(text).toContain("server 127.0.0.1:3000;");
    expect(text).toContain("client_max_body_size 25m;");
  });

  test("property: every hostname is in exactly one server_name, and one default server exists", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const names = fc.uniqueArray(
      fc.tuple(label, label).map(([a, b]) => `${a}.${b}.test`),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(names, (hostnames) => {
        const input: NginxProxyInput = {
          listenAddress: "192.168.0.21",
          trustedProxies: ["192.168.0.30"],
          sites: hostnames.map((hostname, i) => ({ hostname, upstreamPort: 4000 + i })),
        };
        const text = renderNginxProxyConfig(input);
        const serverNames = [...text.matchAll(/server_name ([^;]+);/g)].flatMap((m) => m[1].split(" "));
        for (const hostname of hostnames) expect(serverNames.filter((n) => n === hostname)).toHaveLength(1);
        expect(text.match(/default_server/g)).toHaveLength(1);
      }),
      { numRuns: 50 },
    );
  });

  test("bad input is reported all at once", () => {
    expect(() =>
      renderNginxProxyConfig({
        listenAddress: "192.168.0",
        trustedProxies: ["not-an-ip"],
        sites: [
          { hostname: "www.example.test", upstreamPort: 70000 },
          { hostname: "www.example.test", upstreamPort: 3000, staticRoot: "relative/dir" },
        ],
      }),
    ).toThrow(
      /web.listenAddress[\s\S]*web.trustedProxies[\s\S]*upstreamPort[\s\S]*served twice[\s\S]*staticRoot/,
    );
  });
});

describe("app service", () => {
  test("systemd-analyze verify accepts the unit", () => {
    const dir = scratchDir("webapps-unit");
    try {
      // verify checks that ExecStart exists; node/npm are not on this machine, so point it at a program that is.
      const unit = renderWebAppUnit(app).replace("ExecStart=/usr/bin/npm", "ExecStart=/usr/bin/env");
      const file = join(dir.path, "webapp-company-site.service");
      writeFileSync(file, unit);
      const result = run(findProgram("systemd-analyze"), ["verify", file]);
      expect(result.output).not.toMatch(/Unknown (key|section)|Failed to parse|Invalid/);
      expect(result.status).toBe(0);
    } finally {
      dir.remove();
    }
  });

  test("the unit runs as the app's user from its directory, once deployed", () => {
    const unit = renderWebAppUnit(app);
    expect(unit).toContain("User=webapp\n");
    expect(unit).toContain("WorkingDirectory=/srv/company-site\n");
    expect(unit).toContain("EnvironmentFile=/etc/webapps/company-site.env\n");
    expect(unit).toContain("ConditionPathExists=/srv/company-site/package.json\n");
    expect(unit).toContain("ExecStart=/usr/bin/npm run start\n");
  });

  test("the environment file has the port and a placeholder for each secret", () => {
    expect(renderWebAppEnv(app)).toBe(
      "NODE_ENV='production'\nHOST='127.0.0.1'\nPORT='3000'\nNEXT_TELEMETRY_DISABLED='1'\nREVALIDATE_TOKEN='@@WEB_REVALIDATE_TOKEN@@'\n",
    );
  });
});

describe("provisioning script", () => {
  const script = renderWebGuestScript(frontend);

  test("is valid bash and shellcheck-clean", () => expectCleanShell(script));

  test("needs exactly the apps' secrets", () => {
    expect(webGuestScriptEnv(frontend)).toEqual(["WEB_REVALIDATE_TOKEN"]);
    expect(script).toContain(': "${WEB_REVALIDATE_TOKEN:?');
  });

  test("installs Node.js from NodeSource only when the major differs", () => {
    expect(script).toContain("https://deb.nodesource.com/node_24.x nodistro main");
    expect(script).toMatch(/if ! command -v node .*!= 24 \]; then/);
    expect(renderWebGuestScript({ ...frontend, nodeMajor: 22 })).toContain("node_22.x");
  });

  test("its files land once, the env file 0640 with the secret, and a second run changes nothing", () => {
    const dir = scratchDir("webapps-files");
    try {
      const token = secret();
      const files = renderScript({
        summary: "test",
        setup: "nginx_changed=0\nunits_changed=0\nwebapp_changed_company_site=0",
        files: webGuestFiles(frontend),
        body: 'echo "changed=$nginx_changed$units_changed$webapp_changed_company_site"',
      });
      const env = { PROVISION_ROOT: dir.path, WEB_REVALIDATE_TOKEN: token };
      expect(run("bash", ["-c", files], undefined, env).stdout).toContain("changed=111");
      const envFile = join(dir.path, "etc/webapps/company-site.env");
      expect(statSync(envFile).mode & 0o777).toBe(0o640);
      expect(readFileSync(envFile, "utf8")).toContain(`REVALIDATE_TOKEN='${token}'\n`);
      expect(readFileSync(join(dir.path, "etc/nginx/conf.d/proxmox-sites.conf"), "utf8")).toBe(
        renderNginxProxyConfig(frontend),
      );
      expect(run("bash", ["-c", files], undefined, env).stdout).toContain("changed=000");
      expect(
        run("bash", ["-c", files], undefined, { ...env, WEB_REVALIDATE_TOKEN: secret() }).stdout,
      ).toContain("changed=001");
    } finally {
      dir.remove();
    }
  });

  test("tunnel origins: every site name to nginx on the guest", () => {
    expect(webGuestOrigins(frontend)).toEqual([
      { hostname: "www.bowbo.co.id", service: "http://192.168.0.20:80" },
      { hostname: "bowbo.co.id", service: "http://192.168.0.20:80" },
    ]);
  });

  test("bad apps are refused with their key", () => {
    expect(() =>
      renderWebGuestScript({
        ...frontend,
        apps: [{ ...app, user: "root", execStart: "npm start", environment: { "BAD-NAME": "x" } }],
      }),
    ).toThrow(/user: root[\s\S]*execStart[\s\S]*BAD-NAME/);
  });
});

describe("secret checks", () => {
  const cases: [Parameters<typeof renderSecretCheck>[1], string, boolean][] = [
    ["url-safe", "abcXYZ019._~-", true],
    ["url-safe", "has@sign", false],
    ["url-safe", "has space", false],
    ["env-file", 'any thing $ " \\ goes', true],
    ["env-file", "no'quote", false],
    ["env-file", "two\nlines", false],
    ["single-line", "quote ' is fine", true],
    ["single-line", "two\nlines", false],
  ];
  test.each(cases)("%s accepts %j: %s", (shape, value, ok) => {
    const result = run("bash", ["-c", renderSecretCheck("SOME_SECRET", shape)], undefined, {
      SOME_SECRET: value,
    });
    expect(result.status).toBe(ok ? 0 : 1);
    expect(result.output).not.toContain(value);
  });
});
