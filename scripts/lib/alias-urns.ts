/**
 * The URNs a registered resource also answers to through `aliases`, computed as the Pulumi engine
 * computes them, so that the plan diff sees a resource moved under another parent with an alias as
 * the same resource (the engine updates it in place; without the alias it deletes and re-creates it).
 * Pure: no Pulumi import.
 */

/** The root stack's type: the engine leaves it out of its children's type chain. */
const STACK_TYPE = "pulumi:pulumi:Stack";

/** An alias with its parent resolved: a whole URN, or a spec whose missing parts are the resource's own. */
export type ResolvedAlias =
  | { urn: string }
  | {
      name?: string;
      type?: string;
      /** The former parent's URN; `null`: the resource had no parent; absent: its parent now. */
      parent?: string | null;
    };

/** A resource's identity: its stack and project, type, name and its parent's URN. */
export interface UrnParts {
  stack: string;
  project: string;
  type: string;
  name: string;
  parent?: string;
}

/** The qualified type of a URN: its parents' types and its own, joined by `$`. */
const qualifiedType = (urn: string) => urn.split("::")[2] ?? "";

/**
 * A URN's qualified type without the root stack's type: under Pulumi's mocks, `pulumi.createUrn` keeps
 * it in the chain of a top-level resource's children, where the engine leaves it out.
 */
export function withoutStackType(urn: string): string {
  const parts = urn.split("::");
  if (parts.length < 4) return urn;
  parts[2] = parts[2].startsWith(`${STACK_TYPE}$`) ? parts[2].slice(STACK_TYPE.length + 1) : parts[2];
  return parts.join("::");
}

/** The URN of a resource of `type` and `name` under `parent` (none, or the root stack: top level). */
export function urnOf(p: UrnParts): string {
  const parentType = p.parent ? qualifiedType(p.parent) : "";
  const prefix = parentType && parentType !== STACK_TYPE ? `${parentType}$` : "";
  return `urn:pulumi:${p.stack}::${p.project}::${prefix}${p.type}::${p.name}`;
}

/**
 * Every URN `self` answers to besides its own: one per alias (a spec's missing name and type are the
 * resource's own, a missing parent its parent now), and its own name and type under each URN its
 * parent answers to (a child of a moved component moves with it).
 */
export function aliasUrns(
  self: UrnParts,
  aliases: readonly ResolvedAlias[],
  parentAliases: readonly string[],
): string[] {
  const own = urnOf(self);
  const out = new Set<string>();
  for (const a of aliases) {
    if ("urn" in a) {
      out.add(a.urn);
      continue;
    }
    const parent = a.parent === null ? undefined : (a.parent ?? self.parent);
    out.add(urnOf({ ...self, name: a.name ?? self.name, type: a.type ?? self.type, parent }));
  }
  for (const parent of parentAliases) out.add(urnOf({ ...self, parent }));
  out.delete(own);
  return [...out];
}
