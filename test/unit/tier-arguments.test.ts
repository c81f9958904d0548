/**
 * A tier's component takes typed arguments, never the whole stack (issue #15, point 2): no file of a
 * tier's folder (`components/<tier>/`, its `spec.ts` aside: that is config, it reads the stack by
 * design) imports the validated stack's type `SiteConfig`, the whole service graph `SiteWiring`, or the
 * old `TierContext` that carried both. The Site cuts each tier's arguments out of them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(__dirname, "../..");

/** Folders under components/ that are not tiers: the Site, and the primitives every tier builds on. */
const NOT_TIERS = ["site", "core", "proxmox", "security", "firewall", "topology"];

/** Names a tier file may not import, by the module that exports them. */
const FORBIDDEN: Record<string, string[]> = {
  "config/schema.ts": ["SiteConfig"],
  "config/wiring.ts": ["SiteWiring"],
  "components/core/context.ts": ["TierContext"],
};

/** Every `.ts` file of every tier folder, the specs aside. */
function tierFiles(): string[] {
  const dirs = readdirSync(join(root, "components"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !NOT_TIERS.includes(e.name))
    .map((e) => join("components", e.name));
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );
  return dirs.flatMap(walk).filter((f) => !f.endsWith("/spec.ts"));
}

interface NamedImport {
  /** The imported names (`*` for a namespace import); a renamed one by its exported name. */
  names: string[];
  module: string;
}

/** The relative imports of a file, with the names each brings in (type-only included). */
function namedImports(text: string): NamedImport[] {
  const found: NamedImport[] = [];
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?([^;]*?)\s+from\s+"(\.[^"]+)"/g,
  )) {
    const clause = m[1];
    const braces = /\{([^}]*)\}/.exec(clause);
    const names = braces
      ? braces[1]
          .split(",")
          .map(
            (n) =>
              n
                .trim()
                .replace(/^type\s+/, "")
                .split(/\s+as\s+/)[0],
          )
          .filter((n) => n !== "")
      : [];
    if (/\*\s+as\s+\w+/.test(clause) || clause.trim() === "*") names.push("*");
    found.push({ names, module: m[2] });
  }
  return found;
}

/** The repository path a relative specifier names (`x.ts`, or `x/index.ts` for a folder). */
function target(from: string, spec: string): string {
  const path = relative(root, resolve(root, dirname(from), spec));
  if (path.endsWith(".ts")) return path;
  try {
    readFileSync(join(root, `${path}.ts`));
    return `${path}.ts`;
  } catch {
    return `${path}/index.ts`;
  }
}

describe("tier components take typed arguments", () => {
  const files = tierFiles();

  it("scans every tier folder (a scan that finds nothing would pass anything)", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "components/database/index.ts",
        "components/moodle/cluster-plan.ts",
        "components/web-cluster/tier.ts",
        "components/monitoring/site-input.ts",
        "components/tunnel/index.ts",
      ]),
    );
    expect(files.some((f) => f.endsWith("/spec.ts"))).toBe(false);
    expect(files.length).toBeGreaterThan(100);
  });

  it("no tier file imports SiteConfig, SiteWiring or TierContext", () => {
    const wrong: string[] = [];
    for (const file of files) {
      for (const { names, module } of namedImports(readFileSync(join(root, file), "utf8"))) {
        const banned = FORBIDDEN[target(file, module)] ?? [];
        for (const name of names)
          if (name === "*" ? banned.length > 0 : banned.includes(name))
            wrong.push(`${file} imports ${name} from ${module}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("no tier file reads the old context's stack or graph (`ctx.site`, `ctx.wiring`)", () => {
    const reads = files.filter((f) => /\bctx\.(site|wiring)\b/.test(readFileSync(join(root, f), "utf8")));
    expect(reads).toEqual([]);
  });

  it("reads the names of type-only, renamed, namespace and multi-line imports", () => {
    const text = [
      'import type { SiteConfig } from "../../config/schema";',
      'import { planOf, type TierContext as Ctx } from "../core/context";',
      "import {",
      "  a,",
      "  type SiteWiring,",
      '} from "../../config/wiring";',
      'import * as schema from "../../config/schema";',
      'import * as pulumi from "@pulumi/pulumi";',
    ].join("\n");
    expect(namedImports(text)).toEqual([
      { names: ["SiteConfig"], module: "../../config/schema" },
      { names: ["planOf", "TierContext"], module: "../core/context" },
      { names: ["a", "SiteWiring"], module: "../../config/wiring" },
      { names: ["*"], module: "../../config/schema" },
    ]);
  });
});
