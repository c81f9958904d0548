/**
 * A YAML map's key order carries no meaning, but JavaScript objects keep it, and everything derived by
 * iterating a map (which balancer comes first, Redis database numbers, rule order) would follow it.
 * The validator therefore sorts every map's keys before anything reads them, so reordering keys in a
 * stack file changes nothing that is registered. Arrays keep their order: a list's order is stated.
 */
export function withSortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSortedKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return Object.fromEntries(entries.map(([k, v]) => [k, withSortedKeys(v)]));
}
