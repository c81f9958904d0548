import { instance } from "@viz-js/viz";

/**
 * Graphviz sizes text with Helvetica's metrics; a viewer without Helvetica must fall back to a
 * font of the same widths (Arial, Liberation Sans, Nimbus Sans), not to a wider sans-serif.
 */
const FONT_FAMILIES = "Helvetica,Arial,Liberation Sans,Nimbus Sans,sans-serif";

/** Renders DOT to SVG with Graphviz compiled to WebAssembly (no system binary). Throws on bad DOT. */
export async function renderSvg(dot: string): Promise<string> {
  const viz = await instance();
  const result = viz.render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success") {
    throw new Error(`Graphviz failed: ${result.errors.map((e) => e.message).join("; ")}`);
  }
  return result.output.replace(/font-family="Helvetica,sans-Serif"/g, `font-family="${FONT_FAMILIES}"`);
}
