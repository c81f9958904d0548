import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { readStackFile } from "../../config/stack-file";
import { validateSiteConfig } from "../../config/validate";
import { siteWiring } from "../../config/wiring";
import {
  appPoolSizing,
  MoodleClusterPlanInput,
  MoodleConfig,
  MoodleGuest,
  phpMemoryLimitMb,
  planMoodleCluster,
  virtualRouterId,
  workersPerCore,
} from "../../components/moodle/cluster-plan";
import { renderHaproxyConfig } from "../../components/web-cluster/haproxy";
import { renderKeepalivedConfig } from "../../components/web-cluster/keepalived";
import { renderNginxSite } from "../../components/moodle/nginx";
import { findProgram, run, scratchDir } from "../live/support/daemon";

const root = resolve(__dirname, "../..");
const school = validateSiteConfig("school", readStackFile(root, "school").values).config;
const schoolMoodle = school.moodle!;

function schoolInput(overrides: Partial<MoodleClusterPlanInput> = {}): MoodleClusterPlanInput {
  return {
    moodle: schoolMoodle,
    guests: siteWiring(school).guests,
    networkCidr: school.network.cidr,
    siteName: school.site.client,
    adminEmail: school.site.adminEmails[0],
    database: { host: "10.10.0.10", port: 3306, name: "moodle", user: "moodle" },
    redis: { host: "10.10.0.12", port: 6379, user: "moodle", keyPrefix: "moodle:" },
    proxmoxNodes: school.proxmox.nodes,
    ...overrides,
  };
}

/** A cluster of the given app node keys (addresses 10.10.0.100+ in key order of creation). */
function clusterOf(nodeKeys: readonly string[], lbKeys: readonly string[] = ["lb1", "lb2"]) {
  const guest = (key: string, ip: string, cores = 8, memoryMb = 16384): MoodleGuest => ({
    key,
    ip,
    cores,
    memoryMb,
    template: "debian-12",
  });
  const lxc = (ip: string) => ({ ...schoolMoodle.nodes.app1, ip });
  const moodle: MoodleConfig = {
    ...schoolMoodle,
    cronNode: undefined,
    loadBalancers: Object.fromEntries(lbKeys.map((k, i) => [k, lxc(`10.10.0.${21 + i}`)])),
    nodes: Object.fromEntries(nodeKeys.map((k, i) => [k, lxc(`10.10.0.${100 + i}`)])),
  };
  const guests = [
    ...lbKeys.map((k, i) => guest(`moodle-${k}`, `10.10.0.${21 + i}`, 2, 2048)),
    ...nodeKeys.map((k, i) => guest(`moodle-${k}`, `10.10.0.${100 + i}`)),
  ];
  return schoolInput({ moodle, guests });
}

function check(program: string, args: (path: string) => string[], name: string, text: string) {
  const dir = scratchDir("moodle-plan-check");
  try {
    const path = join(dir.path, name);
    writeFileSync(path, text);
    return run(findProgram(program), args(path));
  } finally {
    dir.remove();
  }
}

describe("the school stack's cluster", () => {
  const plan = planMoodleCluster(schoolInput());

  test("two balancers share the VIP, each balancing the three app nodes by key", () => {
    expect(plan.balancers.map((b) => b.guest)).toEqual(["moodle-lb1", "moodle-lb2"]);
    for (const b of plan.balancers) {
      expect(b.input.haproxy.nodes).toEqual([
        { name: "app1", address: "10.10.0.31", port: 80 },
        { name: "app2", address: "10.10.0.32", port: 80 },
        { name: "app3", address: "10.10.0.33", port: 80 },
      ]);
      expect(b.input.haproxy.vip).toBe("10.10.0.20");
      expect(b.input.haproxy.stats).toEqual({ address: "0.0.0.0", port: 8404, user: "admin" });
      expect(b.input.haproxy.healthCheck).toEqual({ uri: "/healthz", host: "lms.school.example" });
      expect(b.input.keepalived).toMatchObject({
        self: b.key,
        primary: "lb1",
        vip: "10.10.0.20",
        vipPrefixLength: 24,
        virtualRouterId: 20,
      });
    }
    expect(plan.frontAddress).toBe("10.10.0.20");
  });

  test("haproxy -c and keepalived -t accept what the plan renders", () => {
    for (const b of plan.balancers) {
      const cfg = renderHaproxyConfig(b.input.haproxy).replace(
        "@@HAPROXY_STATS_PASSWORD@@",
        randomBytes(12).toString("hex"),
      );
      const haproxy = check("haproxy", (p) => ["-c", "-f", p], "haproxy.cfg", cfg);
      expect(haproxy.status).toBe(0);
      const conf = renderKeepalivedConfig(b.input.keepalived!).replace(
        "@@KEEPALIVED_AUTH_PASSWORD@@",
        randomBytes(4).toString("hex"),
      );
      const keepalived = check("keepalived", (p) => ["-t", "-f", p], "keepalived.conf", conf);
      expect(keepalived.status).toBe(0);
    }
  });

  test("app nodes: one wwwroot, the shared dataroot from the cluster storage, Redis as Moodle's ACL user", () => {
    expect(plan.nodes.map((n) => [n.guest, n.cron])).toEqual([
      ["moodle-app1", true],
      ["moodle-app2", false],
      ["moodle-app3", false],
    ]);
    for (const n of plan.nodes) {
      expect(n.input.config.wwwroot).toBe("https://lms.school.example");
      expect(n.input.config.redis).toEqual({
        host: "10.10.0.12",
        port: 6379,
        user: "moodle",
        prefix: "moodle:sess:",
      });
      expect([...n.input.site.trustedProxies].sort()).toEqual(
        ["10.10.0.20", "10.10.0.21", "10.10.0.22", "127.0.0.1"].sort(),
      );
      expect(() => renderNginxSite({ ...n.input.site, layout: plan.layout })).not.toThrow();
    }
    // The files node serves it; the NFS clients are the Proxmox nodes (they mount the storage), not the app nodes.
    const nodeAddresses = school.proxmox.nodes.map((n) => n.address);
    expect(plan.nfs).toEqual({
      node: "pve-school2",
      input: { exportPath: "/srv/moodledata", directory: "moodledata", clients: nodeAddresses },
    });
    expect(plan.shared).toMatchObject({
      storageId: "moodle-shared",
      server: "10.10.0.3",
      exportPath: "/srv/moodledata",
      hostPath: "/mnt/pve/moodle-shared/moodledata",
      nodes: school.proxmox.nodes.map((n) => n.name),
      filesNode: "pve-school2",
    });
    expect(plan.installer.muc).toMatchObject({ user: "moodle", prefix: "moodle:muc:" });
  });

  test("16 GB and 8 cores give 61 workers of 256 MB each, and HAProxy sends each node no more", () => {
    const sizing = plan.nodes[0].input.pool.sizing;
    expect(sizing.maxChildren).toBe(61);
    for (const b of plan.balancers) expect(b.input.haproxy.maxConnPerNode).toBe(61);
  });
});

describe("stable across changes of the node set", () => {
  const key = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).filter((k) => !k.startsWith("lb") && k !== "files");

  test("adding a node changes no existing node's input and not the export, only the balancers' node list", () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 3, maxLength: 8 }), (keys) => {
        const before = planMoodleCluster(clusterOf(keys.slice(0, -1)));
        const after = planMoodleCluster(clusterOf(keys));
        for (const node of before.nodes) {
          const same = after.nodes.find((n) => n.key === node.key)!;
          expect(same.input).toEqual(node.input);
          // The cron node is the first key: it moves only when the new key sorts first.
          expect(same.cron).toBe(node.cron && after.cronNode === before.cronNode);
        }
        for (const b of after.balancers)
          expect(b.input.haproxy.nodes.map((n) => n.name)).toEqual([...keys].sort());
        expect(after.nfs).toEqual(before.nfs);
        expect(after.installer).toEqual(before.installer);
      }),
    );
  });

  test("the order of keys in the stack file does not matter", () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 2, maxLength: 6 }), (keys) => {
        const forward = planMoodleCluster(clusterOf(keys));
        const input = clusterOf(keys);
        const reversed = {
          ...input,
          moodle: {
            ...input.moodle,
            nodes: Object.fromEntries(Object.entries(input.moodle.nodes).reverse()),
          },
        };
        expect(planMoodleCluster(reversed)).toEqual(forward);
      }),
    );
  });
});

describe("derived values", () => {
  test("pool sizing: every worker fits at PHP's memory_limit, and no more than 8 per core", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 512, max: 262144 }),
        (cores, memoryMb) => {
          const s = appPoolSizing({ cores, memoryMb });
          expect(s.maxChildren).toBeLessThanOrEqual(Math.max(2, cores * workersPerCore));
          if (s.maxChildren > 2) expect(s.maxChildren * phpMemoryLimitMb).toBeLessThanOrEqual(memoryMb - 768);
          expect(s.minSpareServers).toBeLessThanOrEqual(s.maxSpareServers);
        },
      ),
    );
    expect(appPoolSizing({ cores: 2, memoryMb: 65536 }).maxChildren).toBe(16);
  });

  test("the VRRP router id is a valid id, the same for the same VIP", () => {
    fc.assert(
      fc.property(fc.ipV4(), (vip) => {
        const id = virtualRouterId(vip);
        expect(Number.isInteger(id) && id >= 1 && id <= 255).toBe(true);
        expect(virtualRouterId(vip)).toBe(id);
      }),
    );
    expect(virtualRouterId("10.10.0.20")).toBe(20);
  });
});

describe("refusals", () => {
  test("a VIP with a single balancer, and a cron node that is not a node, are refused by key", () => {
    const single = clusterOf(["app1", "app2"], ["lb1"]);
    expect(() => planMoodleCluster(single)).toThrow(/moodle\.vip/);
    const noVip = { ...single, moodle: { ...single.moodle, vip: undefined } };
    const plan = planMoodleCluster(noVip);
    expect(plan.balancers[0].input.keepalived).toBeUndefined();
    expect(plan.balancers[0].input.haproxy.vip).toBeUndefined();
    expect(plan.frontAddress).toBe("10.10.0.21");
    expect(() => planMoodleCluster({ ...noVip, moodle: { ...noVip.moodle, cronNode: "app9" } })).toThrow(
      /moodle\.cronNode/,
    );
  });
});
