/**
 * Fits a profile's guests to the host `new-client` is given: when the guests ask for more vCPUs or
 * memory than the host may allocate, every guest is scaled down by the same factor (separately for
 * vCPUs and memory) but never below its tier's minimum. Tiers a profile marks optional are left out,
 * last first, when even the minimums do not fit; when the required tiers do not fit at their minimums,
 * nothing is written and the error says which tier needs what and how much is missing. Pure.
 */

/** The least a guest of a tier runs with (what its software needs to start and serve a few users). */
export interface TierMinimum {
  /** What the tier is called in messages. */
  tier: string;
  cores: number;
  memoryMb: number;
}

/** Minimums by the guest's path in the stack's config; the first matching pattern wins. */
export const TIER_MINIMUMS: readonly (readonly [RegExp, TierMinimum])[] = [
  [/^database\./, { tier: "database", cores: 1, memoryMb: 1024 }],
  [/^redis$/, { tier: "redis", cores: 1, memoryMb: 512 }],
  [/^webClusters\.[^.]+\.loadBalancers\./, { tier: "web cluster balancer", cores: 1, memoryMb: 256 }],
  [/^webClusters\.[^.]+\.nodes\./, { tier: "web cluster app node", cores: 1, memoryMb: 512 }],
  [/^moodle\.loadBalancers\./, { tier: "Moodle balancer", cores: 1, memoryMb: 256 }],
  [/^moodle\.nodes\./, { tier: "Moodle app node", cores: 1, memoryMb: 1024 }],
  [/^nextcloud\./, { tier: "nextcloud", cores: 1, memoryMb: 1024 }],
  [/^frappe$/, { tier: "frappe", cores: 2, memoryMb: 2048 }],
  [/^(snipeIt|passbolt)$/, { tier: "business app", cores: 1, memoryMb: 1024 }],
  [/^webApps\./, { tier: "website", cores: 1, memoryMb: 512 }],
  [/^monitoring$/, { tier: "monitoring", cores: 1, memoryMb: 1024 }],
  [/^networkServices$/, { tier: "network services", cores: 1, memoryMb: 256 }],
  [/^windowsGpu$/, { tier: "Windows GPU VM", cores: 4, memoryMb: 8192 }],
];

/** Memory is handed out in these steps. */
const MEMORY_STEP_MB = 128;
/** Fitted guests stay under the capacity check's warning line (85 % of what the node may allocate). */
const TARGET_SHARE = 0.85;

export function minimumOf(path: string): TierMinimum {
  return TIER_MINIMUMS.find(([re]) => re.test(path))?.[1] ?? { tier: path, cores: 1, memoryMb: 256 };
}

export interface HostLimits {
  /** vCPUs the node may hand out (threads × overcommit). */
  vcpus: number;
  /** Guest memory the node may hand out, MB ((memory − reserved) × overcommit). */
  memoryMb: number;
}

interface GuestRef {
  path: string;
  /** Top-level key of the tier (`database`, `webClusters`, `monitoring`). */
  top: string;
  guest: { cores: number; memoryMb: number };
  min: TierMinimum;
}

export interface FitResult {
  /** The config with the fitted sizes and without the tiers left out. */
  config: Record<string, unknown>;
  /** What changed, one line per guest or tier, for the operator. */
  notes: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function guestsOf(config: Record<string, unknown>): GuestRef[] {
  const out: GuestRef[] = [];
  const walk = (value: unknown, path: string, top: string) => {
    if (!isRecord(value)) return;
    if (typeof value.cores === "number" && typeof value.memoryMb === "number") {
      out.push({ path, top, guest: value as GuestRef["guest"], min: minimumOf(path) });
    }
    for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, top || k);
  };
  walk(config, "", "");
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Sizes scaled by one common factor ≤ 1, each at least its minimum, summing to at most `target`; the
 * units rounding left over go to the guests that lost the most to rounding (largest remainders).
 */
function scale(values: number[], mins: number[], groupOf: string[], target: number, step: number): number[] {
  if (sum(values) <= target) return values;
  const down = (x: number) => Math.floor(x / step) * step;
  const at = (f: number) => values.map((v, i) => Math.max(mins[i], Math.min(v, down(v * f))));
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (sum(at(mid)) <= target) lo = mid;
    else hi = mid;
  }
  const out = at(lo);
  // Guests of one group (siblings of the same size, e.g. a cluster's app nodes) grow together, so the
  // balancer's nodes stay alike.
  const groups = new Map<string, number[]>();
  values.forEach((v, i) => {
    const key = `${groupOf[i]}|${v}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const order = [...groups.values()]
    .map((members) => ({ members, remainder: values[members[0]] * lo - out[members[0]] }))
    .sort((a, b) => b.remainder - a.remainder || a.members[0] - b.members[0]);
  for (const { members, remainder } of order) {
    if (remainder <= 0) continue;
    const grow = members.filter((i) => out[i] + step <= values[i]);
    if (grow.length === 0 || sum(out) + step * grow.length > target) continue;
    for (const i of grow) out[i] += step;
  }
  return out;
}

/** Thrown when the required tiers do not fit the host even at their minimums. */
export class HostTooSmallError extends Error {}

/**
 * Scales the profile's guests to the host. `optional` names top-level tiers that may be left out,
 * in the order they go (first named, first dropped).
 */
export function fitToHost(
  config: Record<string, unknown>,
  host: HostLimits,
  optional: readonly string[] = [],
): FitResult {
  let fitted = structuredClone(config);
  const notes: string[] = [];
  let guests = guestsOf(fitted);
  const need = (gs: GuestRef[]) => ({
    vcpus: sum(gs.map((g) => g.min.cores)),
    memoryMb: sum(gs.map((g) => g.min.memoryMb)),
  });
  const fits = (gs: GuestRef[]) => {
    const n = need(gs);
    return n.vcpus <= host.vcpus && n.memoryMb <= host.memoryMb;
  };
  const tierNeed = (top: string) => need(guests.filter((g) => g.top === top));
  const shortBy = (gs: GuestRef[]) => {
    const n = need(gs);
    return [
      n.vcpus > host.vcpus ? `${n.vcpus - host.vcpus} vCPU` : "",
      n.memoryMb > host.memoryMb ? `${n.memoryMb - host.memoryMb} MB` : "",
    ]
      .filter(Boolean)
      .join(" and ");
  };
  for (const top of optional) {
    if (fits(guests)) break;
    if (!guests.some((g) => g.top === top)) continue;
    const t = tierNeed(top);
    notes.push(
      `${top}: left out, it does not fit: at its minimum it needs ${t.vcpus} vCPU and ${t.memoryMb} MB, and the host is short by ${shortBy(guests)} with it`,
    );
    fitted = Object.fromEntries(Object.entries(fitted).filter(([k]) => k !== top));
    guests = guestsOf(fitted);
  }
  if (!fits(guests)) {
    const tops = [...new Set(guests.map((g) => g.top))];
    const lines = tops.map((top) => {
      const t = tierNeed(top);
      return `  - ${top}: needs at least ${t.vcpus} vCPU and ${t.memoryMb} MB`;
    });
    throw new HostTooSmallError(
      [
        `nothing written: the host may allocate ${host.vcpus} vCPU and ${host.memoryMb} MB, and the profile's tiers need more even at their minimums (short by ${shortBy(guests)}):`,
        ...lines,
        ...notes.map((n) => `  - ${n}`),
      ].join("\n"),
    );
  }
  const target = (limit: number, mins: number) => Math.max(mins, Math.floor(limit * TARGET_SHARE));
  const cores = scale(
    guests.map((g) => g.guest.cores),
    guests.map((g) => g.min.cores),
    guests.map((g) => g.path.replace(/\.[^.]+$/, "")),
    target(host.vcpus, need(guests).vcpus),
    1,
  );
  const memory = scale(
    guests.map((g) => g.guest.memoryMb),
    guests.map((g) => g.min.memoryMb),
    guests.map((g) => g.path.replace(/\.[^.]+$/, "")),
    target(host.memoryMb, need(guests).memoryMb),
    MEMORY_STEP_MB,
  );
  guests.forEach((g, i) => {
    if (cores[i] === g.guest.cores && memory[i] === g.guest.memoryMb) return;
    notes.push(
      `${g.path}: ${g.guest.cores} → ${cores[i]} vCPU, ${g.guest.memoryMb} → ${memory[i]} MB (minimum of a ${g.min.tier}: ${g.min.cores} vCPU, ${g.min.memoryMb} MB)`,
    );
    g.guest.cores = cores[i];
    g.guest.memoryMb = memory[i];
  });
  return { config: fitted, notes };
}
