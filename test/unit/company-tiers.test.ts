import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring, type SiteWiring } from "../../config/wiring";
import type { SiteConfig } from "../../config/schema";
import { frappeSiteInputFor, FRAPPE_REDIS_DBS } from "../../components/frappe/site-input";
import { PROVISION_LOCK_FILE } from "../../components/proxmox/script";
import { monitoringScriptEnv, renderMonitoringScript } from "../../components/monitoring/scripts";
import { exporterStepsFor, monitoringPlanFor } from "../../components/monitoring/site-input";
import { bootstrapResolvers, guestRewrites } from "../../components/network-services/adguard-input";
import { webAppName, webGuestInputFor } from "../../components/webapps/guest-input";
import { renderWebGuestScript } from "../../components/webapps/render";
import { runUnderMocks, type MockRun, type RecordedResource } from "../../scripts/lib/mock-run";

const root = resolve(__dirname, "../..");
const COMMAND = "command:remote:Command";

function siteOf(stack: string, dir = root): { site: SiteConfig; wiring: SiteWiring } {
  const { config } = validateSiteConfig(stack, readStackFile(dir, stack).values);
  return { site: config, wiring: siteWiring(config) };
}

function command(run: MockRun, name: string): RecordedResource {
  const found = run.resources.find((r) => r.type === COMMAND && r.name === name);
  if (!found) throw new Error(`no command ${name} in ${run.stack}`);
  return found;
}

/** A command's stdin in clear, split into the prelude's variables and the script text. */
function stdinOf(run: MockRun, c: RecordedResource): { vars: Map<string, string>; script: string } {
  const stdin = String(run.clearInputs.get(c.urn)?.stdin);
  const start = stdin.indexOf("#!/usr/bin/env bash");
  expect(start).toBeGreaterThanOrEqual(0);
  const vars = new Map<string, string>();
  // The guest's provisioning lock comes first (renderStdin), then only export lines.
  const [lock, wait, ...exports] = stdin.slice(0, start).split("\n").filter(Boolean);
  expect([lock, wait.split(" ")[0]]).toEqual([`exec 7>${PROVISION_LOCK_FILE}`, "flock"]);
  for (const line of exports) {
    const m = /^export ([A-Z][A-Z0-9_]*)='(.*)'$/.exec(line);
    if (!m) throw new Error(`not a prelude line in ${c.name}`);
    vars.set(m[1], m[2].replace(/'\\''/g, "'"));
  }
  return { vars, script: stdin.slice(start) };
}

/** Variables the script stops without (`: "${NAME:?…}"`). */
function requiredEnv(script: string): string[] {
  return [...script.matchAll(/^: "\$\{([A-Z][A-Z0-9_]*):\?/gm)].map((m) => m[1]).sort();
}

const vmidOf = (wiring: SiteWiring, key: string) => wiring.guests.find((g) => g.key === key)!.vmid;
const ipOf = (wiring: SiteWiring, key: string) => wiring.guests.find((g) => g.key === key)!.ip;

/** The prod stack with every optional monitoring secret, a Telegram chat and a pinned AdGuard release. */
function fullProdDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "company-tiers-"));
  const doc = parse(readFileSync(join(root, "Pulumi.prod.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  for (const key of ["alertSmtpPassword", "telegramBotToken", "pveExporterToken"])
    doc.config[`proxmox-sites:${key}`] = { secure: `v1:${randomBytes(12).toString("base64")}` };
  const mon = doc.config["proxmox-sites:monitoring"] as Record<string, unknown>;
  mon.telegramChatId = "-100123456789";
  const ns = doc.config["proxmox-sites:networkServices"] as Record<string, unknown>;
  ns.adguard = { version: "v0.107.79", sha256: randomBytes(32).toString("hex") };
  writeFileSync(join(dir, "Pulumi.prod.yaml"), stringify(doc));
  return dir;
}

const tierCommands = ["monitoring-install", "frappe-install", "frontend-install", "backend-install"];
const exporterCommands = {
  "database-primary-mysqld-exporter": "database-primary",
  "database-replica-mysqld-exporter": "database-replica",
  "redis-redis-exporter": "redis",
} as const;

describe.each(["prod", "staging"])("company tiers of %s under mocks", (stack) => {
  let run: MockRun;
  const { site, wiring } = siteOf(stack);
  beforeAll(async () => {
    run = await runUnderMocks(stack);
  });

  it("provision monitoring, Frappe and both web guests in their own guests", () => {
    const guestOf: Record<string, string> = {
      "monitoring-install": "monitoring",
      "frappe-install": "frappe",
      "frontend-install": "frontend",
      "backend-install": "backend",
    };
    for (const name of tierCommands)
      expect(command(run, name).inputs.create).toBe(`pct exec ${vmidOf(wiring, guestOf[name])} -- bash -s`);
  });

  it("install the mysqld and redis exporters on the data guests from the data tiers, after their own steps", () => {
    for (const [name, guest] of Object.entries(exporterCommands)) {
      const c = command(run, name);
      expect(c.inputs.create).toBe(`pct exec ${vmidOf(wiring, guest)} -- bash -s`);
      const owner = guest === "redis" ? "RedisCache" : "MariaDbCluster";
      expect(c.parent).toMatch(
        new RegExp(`proxmox-sites:data:${owner}\\$proxmox-sites:proxmox:GuestProvisioner::`),
      );
      // Each exporter waits for its own server's bootstrap (the replica's account arrives by replication).
      const bootstrap = `${guest}-bootstrap`;
      expect(c.dependsOn).toEqual(
        expect.arrayContaining([expect.stringMatching(`GuestProvisioner::${bootstrap}$`)]),
      );
      // …and for nothing but its own guest and that guest's steps.
      for (const dep of c.dependsOn) expect(dep).toMatch(new RegExp(`::${guest}(-[a-z]+)?$`));
      const { vars, script } = stdinOf(run, c);
      expect([...vars.keys()]).toEqual(
        guest === "redis" ? ["REDIS_EXPORTER_PASSWORD"] : ["MARIADB_MONITOR_PASSWORD"],
      );
      expect(script).toContain(
        guest === "redis" ? "prometheus-redis-exporter" : "prometheus-mysqld-exporter",
      );
      if (guest === "redis") expect(script).toContain(`--redis.addr=redis://${ipOf(wiring, "redis")}:6379`);
    }
  });

  it("send each script's secrets on a secret stdin: exactly the variables it requires, none in its text", () => {
    for (const name of [...tierCommands, ...Object.keys(exporterCommands)]) {
      const c = command(run, name);
      expect(c.secretPaths).toContain("stdin");
      const { vars, script } = stdinOf(run, c);
      expect([...vars.keys()].sort()).toEqual(requiredEnv(script));
      for (const value of vars.values()) {
        expect(value.length).toBeGreaterThanOrEqual(16);
        expect(script.includes(value)).toBe(false);
      }
    }
  });

  it("show no generated secret in any input that is not marked secret", () => {
    const shown = JSON.stringify(run.resources.map((x) => x.inputs));
    const values = tierCommands.flatMap((n) => [...stdinOf(run, command(run, n)).vars.values()]);
    expect(values.length).toBeGreaterThan(0);
    for (const secret of [...values, ...run.secretValues]) expect(shown.includes(secret)).toBe(false);
  });

  it("scrape exactly the wiring's targets, without the proxmox job when no pve-exporter token is set", () => {
    const { script, vars } = stdinOf(run, command(run, "monitoring-install"));
    for (const t of wiring.scrapeTargets.filter((x) => x.job !== "proxmox"))
      expect(script).toContain(`${t.address}:${t.port}`);
    expect(script).not.toContain("job_name: proxmox");
    expect([...vars.keys()]).toEqual(["GRAFANA_ADMIN_PASSWORD"]);
    expect(script).not.toContain("smtp_auth_password");
    expect(script).toContain(`smtp_from: ${site.monitoring!.smtpFrom}`);
  });

  it("run Frappe against the site's MariaDB and Redis, published on the guest's port 8080", () => {
    const { vars, script } = stdinOf(run, command(run, "frappe-install"));
    expect([...vars.keys()].sort()).toEqual([
      "FRAPPE_ADMIN_PASSWORD",
      "FRAPPE_DB_PASSWORD",
      "FRAPPE_REDIS_PASSWORD",
    ]);
    expect(script).toContain(`${ipOf(wiring, "frappe")}:8080`);
    expect(script).toContain(ipOf(wiring, "database-primary"));
    expect(script).toContain(`@${ipOf(wiring, "redis")}:6379/`);
    expect(script).toContain(site.frappe!.publicHostname);
  });

  it("proxy every site hostname of each web guest to its port, with a service per site", () => {
    for (const role of ["frontend", "backend"] as const) {
      const { vars, script } = stdinOf(run, command(run, `${role}-install`));
      expect(vars.size).toBe(0);
      for (const s of site.webApps![role].sites) {
        expect(script).toContain(`server_name ${s.hostname}`);
        expect(script).toContain(`127.0.0.1:${s.port}`);
        expect(script).toContain(`webapp-${s.hostname.replace(/\./g, "-")}.service`);
      }
    }
  });

  it("install AdGuard Home on network-services from the pinned version, checked against the release's checksums.txt", () => {
    const { vars, script } = stdinOf(run, command(run, "network-services-adguard"));
    expect([...vars.keys()]).toEqual(["ADGUARD_ADMIN_PASSWORD"]);
    expect(script).toContain("/releases/download/v0.107.79/checksums.txt");
    expect(script).toContain("sha256sum --check");
  });
});

describe("prod with every monitoring secret, a Telegram chat and a pinned AdGuard release", () => {
  let run: MockRun;
  let dir: string;
  let site: SiteConfig;
  let wiring: SiteWiring;
  beforeAll(async () => {
    dir = fullProdDir();
    ({ site, wiring } = siteOf("prod", dir));
    run = await runUnderMocks("prod", dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("logs in to the SMTP relay, adds Telegram and scrapes the Proxmox API through pve-exporter", () => {
    const { vars, script } = stdinOf(run, command(run, "monitoring-install"));
    expect([...vars.keys()].sort()).toEqual([
      "ALERTMANAGER_SMTP_PASSWORD",
      "ALERTMANAGER_TELEGRAM_BOT_TOKEN",
      "GRAFANA_ADMIN_PASSWORD",
      "PVE_EXPORTER_TOKEN_VALUE",
    ]);
    expect(requiredEnv(script)).toEqual([...vars.keys()].sort());
    expect(script).toContain("smtp_auth_password");
    expect(script).toContain("chat_id: -100123456789");
    expect(script).toContain("job_name: proxmox");
    expect(script).toContain("token_name: exporter");
    for (const t of wiring.scrapeTargets) expect(script).toContain(t.address);
    for (const value of vars.values()) expect(script.includes(value)).toBe(false);
  });

  it("installs AdGuard Home on network-services answering for every guest of the site", () => {
    const c = command(run, "network-services-adguard");
    expect(c.inputs.create).toBe(`pct exec ${vmidOf(wiring, "network-services")} -- bash -s`);
    expect(c.secretPaths).toContain("stdin");
    const { vars, script } = stdinOf(run, c);
    expect([...vars.keys()]).toEqual(["ADGUARD_ADMIN_PASSWORD"]);
    expect(script.includes(vars.get("ADGUARD_ADMIN_PASSWORD")!)).toBe(false);
    for (const g of wiring.guests) {
      expect(script).toContain(`domain: ${g.hostname}.${site.site.internalDomain}`);
      expect(script).toContain(`answer: ${g.ip}`);
    }
    expect(script).toContain(`- ${site.network.cidr}`);
    expect(script).toContain(`${ipOf(wiring, "network-services")}:53`);
  });

  it("keeps the configured secrets out of every unmarked input", () => {
    const shown = JSON.stringify(run.resources.map((x) => x.inputs));
    const values = [
      ...stdinOf(run, command(run, "monitoring-install")).vars.values(),
      ...stdinOf(run, command(run, "network-services-adguard")).vars.values(),
    ];
    expect(values).toHaveLength(5);
    for (const secret of values) expect(shown.includes(secret)).toBe(false);
  });
});

describe("pure mappings of the company tiers", () => {
  const { site, wiring } = siteOf("prod");
  const appName = /^[a-z][a-z0-9-]{0,40}$/;
  const userName = /^[a-z_][a-z0-9_-]{0,31}$/;

  it("names every site's service and user validly, stably, and apart from every other hostname", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.domain().map((d) => d.toLowerCase()),
          { minLength: 1, maxLength: 8 },
        ),
        (hosts) => {
          const names = hosts.map(webAppName);
          for (const n of names) {
            expect(n).toMatch(appName);
            expect(n).toMatch(userName);
          }
          expect(hosts.map(webAppName)).toEqual(names);
          // Hostnames without dashes map one to one (dots become dashes).
          const plain = hosts.filter((h) => !h.includes("-"));
          expect(new Set(plain.map(webAppName)).size).toBe(plain.length);
        },
      ),
    );
  });

  it("gives each web site a service on its port behind nginx, and no provisioning without sites", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            hostname: fc.domain().map((d) => d.toLowerCase()),
            port: fc.integer({ min: 1024, max: 65535 }),
          }),
          {
            selector: (s) => s.hostname,
            maxLength: 5,
          },
        ),
        fc.array(fc.ipV4(), { maxLength: 2 }),
        (sites, proxies) => {
          const input = webGuestInputFor({
            guestIp: "192.168.0.20",
            listenPort: 80,
            sites,
            trustedProxies: proxies,
          });
          if (sites.length === 0) return expect(input).toBeUndefined();
          expect(input!.sites.map((s) => [s.hostname, s.upstreamPort])).toEqual(
            sites.map((s) => [s.hostname, s.port]),
          );
          expect(input!.apps.map((a) => a.port)).toEqual(sites.map((s) => s.port));
          for (const a of input!.apps) expect(a.workingDirectory).toBe(`/srv/${a.name}`);
          expect(input!.trustedProxies).toEqual(proxies.length > 0 ? proxies : ["127.0.0.1"]);
          // The renderer accepts what the mapping makes.
          expect(renderWebGuestScript(input!)).toContain("#!/usr/bin/env bash");
        },
      ),
    );
  });

  it("bootstraps AdGuard from plain upstream addresses, else from site DNS servers other than itself", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.ipV4(), fc.constant("https://dns.quad9.net/dns-query")), { maxLength: 4 }),
        fc.array(fc.ipV4(), { minLength: 1, maxLength: 3 }),
        fc.ipV4(),
        (upstreams, dns, own) => {
          const plain = upstreams.filter((u) => !u.includes("/"));
          const others = dns.filter((d) => d !== own);
          if (plain.length === 0 && others.length === 0)
            return expect(() => bootstrapResolvers(upstreams, dns, own)).toThrow(
              /networkServices.upstreamDns/,
            );
          const out = bootstrapResolvers(upstreams, dns, own);
          expect(out.length).toBeGreaterThan(0);
          expect(new Set(out)).toEqual(new Set(plain.length > 0 ? plain : others));
        },
      ),
    );
  });

  it("answers one local name per guest with its address", () => {
    const rewrites = guestRewrites(wiring.guests, site.site.internalDomain);
    expect(rewrites).toHaveLength(wiring.guests.length);
    expect(new Set(rewrites.map((r) => r.name)).size).toBe(rewrites.length);
    for (const g of wiring.guests)
      expect(rewrites).toContainEqual({ name: `${g.hostname}.bowbo.lan`, ip: g.ip });
  });

  it("installs one exporter per mysqld and redis target, on the guest the wiring names", () => {
    const steps = exporterStepsFor(wiring.scrapeTargets, 6379);
    const expected = wiring.scrapeTargets.filter((t) => t.job === "mysqld" || t.job === "redis");
    expect(steps.map((s) => [s.job, s.guest])).toEqual(expected.map((t) => [t.job, t.target]));
  });

  it.each([
    [{ smtpPassword: false, telegramBotToken: false, pveExporterToken: false }],
    [{ smtpPassword: true, telegramBotToken: true, pveExporterToken: true }],
    [{ smtpPassword: true, telegramBotToken: true, pveExporterToken: false }],
  ])("monitoring follows which secrets exist: %o", (present) => {
    const withChat = {
      ...site,
      monitoring: { ...site.monitoring!, telegramChatId: "-42", alertEmails: undefined },
    };
    const { input, notes } = monitoringPlanFor({
      config: withChat.monitoring,
      siteSlug: withChat.site.slug,
      siteDomain: withChat.site.domain,
      adminEmails: withChat.site.adminEmails,
      stack: "prod",
      targets: wiring.scrapeTargets,
      guestIp: "192.168.0.31",
      present,
    });
    expect(input.targets.some((t) => t.job === "proxmox")).toBe(present.pveExporterToken);
    expect(input.pveExporter !== undefined).toBe(present.pveExporterToken);
    expect(input.alerting.email.authenticate).toBe(present.smtpPassword);
    expect(input.alerting.telegram !== undefined).toBe(present.telegramBotToken);
    expect(input.alerting.email.to).toEqual(site.site.adminEmails);
    expect(input.thresholds?.replicationLagSeconds).toBe(site.monitoring!.replicationLagSeconds);
    expect(monitoringScriptEnv(input)).toEqual(
      [
        "GRAFANA_ADMIN_PASSWORD",
        ...(present.smtpPassword ? ["ALERTMANAGER_SMTP_PASSWORD"] : []),
        ...(present.telegramBotToken ? ["ALERTMANAGER_TELEGRAM_BOT_TOKEN"] : []),
        ...(present.pveExporterToken ? ["PVE_EXPORTER_TOKEN_VALUE"] : []),
      ].sort(),
    );
    expect(renderMonitoringScript(input)).toContain("promtool check config");
    const missing = Object.values(present).filter((p) => !p).length;
    expect(notes).toHaveLength(missing);
  });

  it("builds Frappe's input from the endpoints, defaulting the site name and the trusted proxy", () => {
    const facts = {
      frappe: site.frappe!,
      guestIp: "192.168.0.50",
      httpPort: 8080,
      database: { host: "192.168.0.10", port: 3306, database: "frappe", user: "frappe" },
      redis: { host: "192.168.0.12", port: 6379, user: "frappe" },
      trustedProxies: [],
    };
    const input = frappeSiteInputFor(facts);
    expect(input).toMatchObject({
      siteName: site.frappe!.publicHostname,
      bindAddress: "192.168.0.50",
      httpPort: 8080,
      trustedProxy: "127.0.0.1",
      database: { name: "frappe" },
      redis: { user: "frappe", ...FRAPPE_REDIS_DBS },
    });
    expect(frappeSiteInputFor({ ...facts, trustedProxies: ["192.168.0.30"] }).trustedProxy).toBe(
      "192.168.0.30",
    );
    expect(() => frappeSiteInputFor({ ...facts, database: { ...facts.database, user: "erp" } })).toThrow(
      /named like its database/,
    );
  });
});

describe("a stack that pins no AdGuard release", () => {
  it("installs nothing on network-services but the connector", async () => {
    const dir = mkdtempSync(join(tmpdir(), "company-tiers-no-adguard-"));
    try {
      const doc = parse(readFileSync(join(root, "Pulumi.prod.yaml"), "utf8")) as {
        config: Record<string, Record<string, unknown>>;
      };
      delete doc.config["proxmox-sites:networkServices"].adguard;
      writeFileSync(join(dir, "Pulumi.prod.yaml"), stringify(doc));
      const run = await runUnderMocks("prod", dir);
      const onGuest = run.resources.filter(
        (r) => r.type === COMMAND && String(r.inputs.create).startsWith("pct exec 300 "),
      );
      expect(onGuest.map((r) => r.name).sort()).toEqual([
        "network-services-cloudflared",
        "network-services-node-exporter",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
