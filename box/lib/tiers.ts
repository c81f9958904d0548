/**
 * Running part of a site: the tiers a box run is limited to (`--tiers data,network,monitoring`).
 * A step's tiers come from the program itself: the component under the site that registered it
 * (a direct child of `proxmox-sites:site:Site`), named by its module (`data` for
 * `proxmox-sites:data:RedisCache`) and by its own name (`redis`, `monitoring`). The selection is
 * every step of those tiers plus everything they wait for in the registered graph (node steps
 * included); the rest is left out and reported.
 */
import type { SimResource } from "../../bench/lib/deploy-sim";
import type { BoxPlan } from "./collect";

const SITE_TYPE = "proxmox-sites:site:Site";

/** The names a step answers to: its tier component's module and name (empty outside the site). */
export function tierNamesOf(resources: readonly SimResource[], urn: string): string[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  let r = byUrn.get(urn);
  while (r?.parent) {
    const parent = byUrn.get(r.parent);
    if (!parent) break;
    if (parent.type === SITE_TYPE) {
      const module = /^proxmox-sites:([^:]+):/.exec(r.type)?.[1];
      return [...new Set([...(module ? [module] : []), r.name])];
    }
    r = parent;
  }
  return [];
}

export interface TierSelection {
  plan: BoxPlan;
  /** Steps (guests and commands) left out, by name, with the tier names they answer to. */
  leftOut: { name: string; tiers: string[] }[];
  /** Steps outside the named tiers that run because a selected step waits for them. */
  pulledIn: string[];
}

/** Every tier name a step of `plan` answers to, sorted. */
export function tierNames(plan: BoxPlan): string[] {
  const steps = [...plan.guests, ...plan.commands];
  return [...new Set(steps.flatMap((s) => tierNamesOf(plan.resources, s.urn)))].sort();
}

/**
 * The part of `plan` that runs `tiers` and what they depend on. Throws on a name no step answers
 * to, listing the valid ones.
 */
export function selectTiers(plan: BoxPlan, tiers: readonly string[]): TierSelection {
  const valid = tierNames(plan);
  const unknown = tiers.filter((t) => !valid.includes(t));
  if (unknown.length > 0)
    throw new Error(
      `--tiers: ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not a tier of ${plan.stack}; valid: ${valid.join(", ")}`,
    );
  if (tiers.length === 0) throw new Error(`--tiers: no tier named; valid: ${valid.join(", ")}`);
  const steps = [...plan.guests, ...plan.commands];
  const byUrn = new Map(steps.map((s) => [s.urn, s]));
  const namesOf = (urn: string) => tierNamesOf(plan.resources, urn);
  const chosen = new Set(
    steps.filter((s) => namesOf(s.urn).some((n) => tiers.includes(n))).map((s) => s.urn),
  );
  const named = new Set(chosen);
  const queue = [...chosen];
  while (queue.length > 0) {
    for (const dep of byUrn.get(queue.pop()!)?.after ?? []) {
      if (chosen.has(dep) || !byUrn.has(dep)) continue;
      chosen.add(dep);
      queue.push(dep);
    }
  }
  return {
    plan: {
      ...plan,
      guests: plan.guests.filter((g) => chosen.has(g.urn)),
      commands: plan.commands.filter((c) => chosen.has(c.urn)),
    },
    leftOut: steps.filter((s) => !chosen.has(s.urn)).map((s) => ({ name: s.name, tiers: namesOf(s.urn) })),
    pulledIn: steps.filter((s) => chosen.has(s.urn) && !named.has(s.urn)).map((s) => s.name),
  };
}
