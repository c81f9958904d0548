/**
 * The Moodle tier: the web cluster's Moodle flavour — HAProxy balancers (a VIP with two), app nodes
 * (their database and Redis sessions shared), and an NFS guest for moodledata when the stack builds one.
 */
import { primaryBalancerKey } from "../../config/assignments";
import { wireCluster, wireKeepalivedPeers } from "../../config/cluster-wiring";
import { checkMoodlePlacement, checkMoodleSharedStorage } from "../../config/moodle-checks";
import { PORTS } from "../../config/ports";
import type { ConfigProblem } from "../../config/problems";
import { defineTier, lxcPlan } from "../../config/tier-spec";

const key = (k: string) => `moodle-${k}`;

export const moodleTier = defineTier({
  id: "moodle",
  stackKey: "moodle",
  defaultTemplate: "debian-12",
  guests(site) {
    const m = site.moodle;
    if (!m) return [];
    return [
      ...Object.entries(m.loadBalancers).map(([name, lb]) =>
        lxcPlan(site, this, key(name), `moodle.loadBalancers.${name}`, lb, "HAProxy load balancer", false),
      ),
      ...Object.entries(m.nodes).map(([name, node]) =>
        lxcPlan(site, this, key(name), `moodle.nodes.${name}`, node, "Moodle app node", false),
      ),
    ];
  },
  // MariaDB; sessions and the application cache (MUC) in Redis, one user for every app node.
  needs(site) {
    if (!site.moodle) return [];
    const clients = Object.keys(site.moodle.nodes).sort().map(key);
    return [
      { need: "database", account: "moodle", clients, path: "moodle" },
      { need: "redis", account: "moodle", redisKind: "moodle", clients, path: "moodle" },
    ];
  },
  wire(t) {
    const m = t.site.moodle;
    if (!m) return;
    // The primary balancer first: it holds the VIP, and a single balancer is the front itself.
    const primary = key(primaryBalancerKey(m));
    const lbs = [
      primary,
      ...Object.keys(m.loadBalancers)
        .map(key)
        .filter((k) => k !== primary),
    ];
    wireCluster(
      {
        balancers: lbs,
        nodes: Object.keys(m.nodes).map(key),
        filesNode: m.sharedFiles?.node,
        front: m.vip ?? t.ip(lbs[0]),
        publicHostname: m.publicHostname,
        statsHostname: m.statsHostname,
        label: "Moodle",
        sharedLabel: "moodledata",
      },
      t,
    );
    wireKeepalivedPeers(Object.keys(m.loadBalancers).map(key), t);
  },
  scrapeTargets: (site) =>
    Object.entries(site.moodle?.loadBalancers ?? {}).map(([k, lb]) => ({
      job: "haproxy" as const,
      instance: lb.hostname,
      address: lb.ip,
      port: PORTS.haproxyMetrics,
      target: key(k),
    })),
  publicNames: (site) => [
    { path: "moodle.publicHostname", name: site.moodle?.publicHostname },
    { path: "moodle.statsHostname", name: site.moodle?.statsHostname },
  ],
  addresses: (site) => (site.moodle?.vip ? [{ path: "moodle.vip", ip: site.moodle.vip }] : []),
  check(site, guests) {
    const errors: ConfigProblem[] = [];
    const m = site.moodle;
    if (!m) return { errors, warnings: [] };
    const nodeKeys = Object.keys(m.nodes);
    if (nodeKeys.length < 2) {
      errors.push({
        path: "moodle.nodes",
        message: `has ${nodeKeys.length} app node(s); a cluster needs at least 2`,
      });
    }
    for (const k of Object.keys(m.loadBalancers)) {
      if (m.nodes[k])
        errors.push({ path: `moodle.loadBalancers.${k}`, message: `key "${k}" is also an app node key` });
    }
    if (Object.keys(m.loadBalancers).length < 2 && m.vip) {
      errors.push({
        path: "moodle.vip",
        message: `${m.vip} needs a second load balancer: keepalived moves it between two or more`,
      });
    }
    if (Object.keys(m.loadBalancers).length >= 2 && !m.vip) {
      errors.push({
        path: "moodle.vip",
        message: "is required with two or more load balancers (the floating address)",
      });
    }
    if (m.cronNode && !m.nodes[m.cronNode]) {
      errors.push({
        path: "moodle.cronNode",
        message: `"${m.cronNode}" is not one of moodle.nodes (${nodeKeys.join(", ")})`,
      });
    }
    checkMoodleSharedStorage(site, errors);
    checkMoodlePlacement(site, [...guests], errors);
    return { errors, warnings: [] };
  },
});
