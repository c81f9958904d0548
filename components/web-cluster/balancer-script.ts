/**
 * Provisioning script of a web cluster's load balancer guest (Moodle's too): HAProxy (and, with a second balancer, keepalived
 * holding the VIP). A new config becomes live only after `haproxy -c` / `keepalived -t` accepted it, then
 * the service reloads gracefully. Pure: renders the script.
 */
import { renderSecretCheck } from "../proxmox/secret-checks";
import { renderScript } from "../proxmox/script";
import { renderHaproxyConfig } from "./haproxy";
import { HaproxyConfigInput, haproxyStatsPasswordVariable } from "./haproxy-settings";
import { KeepalivedInput, keepalivedPasswordVariable, renderKeepalivedConfig } from "./keepalived";
import { activateStagedStep, ensureServiceStep, rootStep } from "./shell";
import { renderAptInstall } from "../proxmox/apt";

export interface BalancerScriptInput {
  /**
   * The tier's name in paths on the guest (`/etc/proxmox-sites/<tier>/`, `60-<tier>-vip.conf`) and what
   * the summary calls it. Default `moodle` / `Moodle`: the Moodle flavour's script stays as it was.
   */
  tier?: { name: string; label: string };
  haproxy: HaproxyConfigInput;
  /** Present when two balancers share a VIP; this balancer's view (its `self`). */
  keepalived?: KeepalivedInput;
}

/** Where the rendered configs are staged before their checker accepts them (the Moodle flavour's). */
export const balancerStagingDir = "/etc/proxmox-sites/moodle";

const moodleTier = { name: "moodle", label: "Moodle" };

/** Environment the script needs from the stdin prelude. */
export function balancerScriptEnv(input: BalancerScriptInput): string[] {
  return input.keepalived
    ? [haproxyStatsPasswordVariable, keepalivedPasswordVariable]
    : [haproxyStatsPasswordVariable];
}

/** The balancer's provisioning script. Needs HAPROXY_STATS_PASSWORD (and KEEPALIVED_AUTH_PASSWORD). */
export function renderBalancerScript(input: BalancerScriptInput): string {
  if (input.keepalived && input.haproxy.vip !== input.keepalived.vip) {
    throw new Error(
      `moodle.balancer.vip: haproxy binds ${JSON.stringify(input.haproxy.vip)} but keepalived holds ${input.keepalived.vip}`,
    );
  }
  const tier = input.tier ?? moodleTier;
  if (!/^[a-z][a-z0-9-]*$/.test(tier.name))
    throw new Error(`balancer.tier.name: ${JSON.stringify(tier.name)} is not a lower-case name`);
  const stagingDir = `/etc/proxmox-sites/${tier.name}`;
  const haproxyStaged = `${stagingDir}/haproxy.cfg`;
  const keepalivedStaged = `${stagingDir}/keepalived.conf`;
  const files = [{ path: haproxyStaged, content: renderHaproxyConfig(input.haproxy), mode: "0600" }];
  const haproxySteps = [
    activateStagedStep({
      staged: haproxyStaged,
      live: "/etc/haproxy/haproxy.cfg",
      check: 'haproxy -c -f "$staged" >/dev/null',
      mode: "0640",
      group: "haproxy",
      unit: "haproxy.service",
    }),
    ensureServiceStep("haproxy.service"),
  ];
  const body: string[] = [];
  if (!input.keepalived) {
    body.push(...haproxySteps);
  } else {
    files.push(
      { path: keepalivedStaged, content: renderKeepalivedConfig(input.keepalived), mode: "0600" },
      {
        path: `/etc/sysctl.d/60-${tier.name}-vip.conf`,
        content:
          "# HAProxy binds the VIP even while keepalived has it on the other balancer.\nnet.ipv4.ip_nonlocal_bind = 1\n",
        mode: "0644",
      },
    );
    body.push(
      'if [ "$(sysctl -n net.ipv4.ip_nonlocal_bind)" != 1 ]; then sysctl -q -w net.ipv4.ip_nonlocal_bind=1; fi',
      ...haproxySteps,
      activateStagedStep({
        staged: keepalivedStaged,
        live: "/etc/keepalived/keepalived.conf",
        check: 'keepalived -t -f "$staged" >/dev/null',
        mode: "0640",
        group: "root",
        unit: "keepalived.service",
      }),
      ensureServiceStep("keepalived.service"),
    );
  }
  return renderScript({
    summary: input.keepalived
      ? `${tier.label} load balancer ${input.keepalived.self}: HAProxy and keepalived (VIP ${input.keepalived.vip})`
      : `${tier.label} load balancer: HAProxy`,
    requiredEnv: balancerScriptEnv(input),
    setup: [
      // haproxy.cfg holds the stats password single-quoted; keepalived's auth_pass is one bare word.
      renderSecretCheck(haproxyStatsPasswordVariable, "env-file"),
      ...(input.keepalived ? [renderSecretCheck(keepalivedPasswordVariable, "url-safe")] : []),
      rootStep,
      renderAptInstall(input.keepalived ? ["haproxy", "keepalived"] : ["haproxy"]),
    ].join("\n"),
    files,
    body: body.join("\n"),
  });
}
