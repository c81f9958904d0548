/**
 * Imports run one way: site → tiers → primitives → config. Reads every source file's import
 * statements (type-only imports included: they couple the files just the same) and fails on an edge
 * from a lower layer to a higher one. Tiers may import one another's exported types and renderers
 * (same layer); a primitive never imports a tier, and nothing below the site imports the site. A
 * tier's `spec.ts` belongs to the config layer: it imports only `config/`, and `config/tiers.ts`
 * lists the specs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(__dirname, "../..");

/** Lowest first; a file may import files of its own layer or a lower one. */
const LAYERS = ["config", "primitives", "tiers", "site"] as const;
type Layer = (typeof LAYERS)[number];

/** Component folders that every tier builds on: guests, provisioning, the firewall and its evaluators. */
const PRIMITIVE_FOLDERS = ["core", "proxmox", "security", "firewall", "topology"];

function layerOf(file: string): Layer | undefined {
  const [top, folder, name] = file.split("/");
  if (top === "config") return "config";
  // A tier's spec (its guests, edges, needs, checks) is pure config: config/tiers.ts lists the specs.
  if (top === "components" && name === "spec.ts") return "config";
  if (top !== "components") return undefined;
  if (folder === "site" || folder === "program.ts") return "site";
  if (PRIMITIVE_FOLDERS.includes(folder)) return "primitives";
  return "tiers";
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Relative module specifiers of a file's `import … from` and `export … from` statements. */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"/g))
    specs.push(m[1]);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+"(\.[^"]+)"/g)) specs.push(m[1]);
  return specs;
}

/** The file a relative specifier names: `x.ts`, or `x/index.ts` for a folder. */
function resolveImport(from: string, spec: string): string {
  const target = relative(root, resolve(root, dirname(from), spec));
  if (target.endsWith(".ts")) return target;
  return existsSync(join(root, `${target}.ts`)) ? `${target}.ts` : `${target}/index.ts`;
}

interface Edge {
  from: string;
  to: string;
  fromLayer: Layer;
  toLayer: Layer;
}

function importGraph(): Edge[] {
  const edges: Edge[] = [];
  for (const file of [...sourceFiles("config"), ...sourceFiles("components")]) {
    const fromLayer = layerOf(file);
    if (!fromLayer) continue;
    for (const spec of importsOf(readFileSync(join(root, file), "utf8"))) {
      const to = resolveImport(file, spec);
      const toLayer = layerOf(to);
      if (toLayer) edges.push({ from: file, to, fromLayer, toLayer });
    }
  }
  return edges;
}

const rank = (l: Layer) => LAYERS.indexOf(l);

describe("import direction", () => {
  const edges = importGraph();

  it("reads the import graph (a parser that finds nothing would pass anything)", () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual(
      expect.objectContaining({
        from: "config/tiers.ts",
        to: "components/moodle/spec.ts",
        toLayer: "config",
      }),
    );
    expect(edges).toContainEqual(
      expect.objectContaining({ from: "components/site/index.ts", toLayer: "tiers" }),
    );
  });

  it("no file imports a higher layer (site → tiers → primitives → config)", () => {
    const wrong = edges
      .filter((e) => rank(e.toLayer) > rank(e.fromLayer))
      .map((e) => `${e.from} (${e.fromLayer}) imports ${e.to} (${e.toLayer})`);
    expect(wrong).toEqual([]);
  });

  it("finds type-only, re-export and multi-line imports", () => {
    const text = [
      'import type { A } from "../a";',
      'export { b } from "./b";',
      "import {",
      "  c,",
      '} from "../../c";',
      'import "./side-effect";',
      'import * as pulumi from "@pulumi/pulumi";',
    ].join("\n");
    expect(importsOf(text)).toEqual(["../a", "./b", "../../c", "./side-effect"]);
  });
});
