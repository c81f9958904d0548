/**
 * Validation of `webClusters`: the profile's cluster validates; bad values come back all at once, each
 * named by its key, schema and cross-checks together; guest keys that other keys refer to are listed
 * when one is wrong.
 */
import { resolve } from "node:path";
import { SiteConfigError } from "../../config/problems";
import { validateSiteConfig } from "../../config/validate";
import { loadProfile, scaffoldStack } from "../../scripts/lib/scaffold";

const ROOT = resolve(__dirname, "../..");
type Raw = Record<string, unknown> & { webClusters: { portal: Record<string, unknown> } };

function portal(): Raw {
  const s = scaffoldStack({
    name: "portal",
    profile: loadProfile(ROOT, "web-cluster"),
    subnet: "10.30.0.0/24",
  });
  return structuredClone(s.values) as Raw;
}

function problems(raw: unknown): string {
  try {
    validateSiteConfig("portal", raw);
  } catch (err) {
    if (err instanceof SiteConfigError) return err.message;
    throw err;
  }
  return "";
}

test("the scaffolded portal validates", () => {
  expect(problems(portal())).toBe("");
});

test("every cross-check problem of a cluster at once, each naming its key", () => {
  const raw = portal();
  const c = raw.webClusters.portal;
  c.vip = "10.30.0.50"; // an app node's address
  c.cronNode = "app9";
  c.sharedStorage = { server: "10.30.0.5" };
  delete raw.redis;
  raw.tunnel = { ...(raw.tunnel as object), connectorGuests: ["portal-lb", "portal-lb2"] };
  raw.firewall = {
    extraRules: [{ from: "portal-app", to: "redis", port: 6379, protocol: "tcp", purpose: "x" }],
  };
  const text = problems(raw);
  expect(text).toContain("webClusters.portal.vip: 10.30.0.50 is already webClusters.portal.nodes.app1.ip");
  expect(text).toContain(
    'webClusters.portal.cronNode: "app9" is not one of webClusters.portal.nodes (app1, app2, app3)',
  );
  expect(text).toContain(
    "webClusters.portal.sharedStorage.server: 10.30.0.5 names an external NFS server, but webClusters.portal.sharedFiles builds one",
  );
  expect(text).toContain("webClusters.portal.redisSessions: keeps PHP sessions in Redis: add the redis key");
  expect(text).toMatch(
    /tunnel\.connectorGuests\.0: "portal-lb" is not a guest of this stack \(.*portal-lb1, portal-lb2.*\)/,
  );
  expect(text).toMatch(
    /firewall\.extraRules\.0\.from: "portal-app" is neither a guest key nor an IPv4 CIDR \(guest keys: .*portal-app1.*\)/,
  );
});

test("every schema problem of a cluster at once", () => {
  const raw = portal();
  const c = raw.webClusters.portal;
  c.source = { git: "http://insecure.example/x.git", ref: "main" };
  c.runtime = { kind: "ruby" };
  const lbs = c.loadBalancers as Record<string, unknown>;
  lbs.lb3 = { ...(lbs.lb1 as object), vmid: 299, ip: "10.30.0.29", hostname: "portal-lb3" };
  const text = problems(raw);
  expect(text).toContain("webClusters.portal.source");
  expect(text).toContain("webClusters.portal.runtime");
  expect(text).toMatch(/webClusters\.portal\.loadBalancers: .* must define one or two load balancers/);
  expect(text).toContain("must be an https URL");
});

test("a bad shared storage is named at its key, with the cluster's own default as the example", () => {
  const raw = portal();
  raw.webClusters.portal.sharedStorage = { directory: "a/b", options: "vers=4.2 hard" };
  const text = problems(raw);
  expect(text).toContain(
    'webClusters.portal.sharedStorage.directory: "a/b" must be one directory name such as files',
  );
  expect(text).toContain(
    'webClusters.portal.sharedStorage.options: "vers=4.2 hard" must be NFS mount options such as vers=4.2',
  );
});

test("a cluster whose guest keys land on another tier's is refused", () => {
  const raw = portal();
  const c = raw.webClusters.portal;
  raw.webClusters = {
    database: {
      ...c,
      publicHostname: "db.portal.example",
      nodes: { primary: (c.nodes as Record<string, unknown>).app1 },
      cronJobs: {},
    },
  } as unknown as Raw["webClusters"];
  raw.tunnel = { ...(raw.tunnel as object), connectorGuests: ["database-lb1"] };
  expect(problems(raw)).toContain(
    'webClusters.database.nodes.primary: its guest key "database-primary" is also the key of database.primary',
  );
});
