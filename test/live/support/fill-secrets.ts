/**
 * Fills a rendered file's secret placeholders the way the guest does: the file goes through
 * `renderScript`'s file step and the export prelude in real bash, under a scratch PROVISION_ROOT.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPrelude, renderScript } from "../../../components/proxmox/script";
import { run } from "./daemon";

/** The file as the guest writes it, every placeholder filled from `env`. Throws with bash's output when it fails. */
export function fillSecrets(content: string, env: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), "proxmox-sites-fill-"));
  try {
    const script = renderScript({ summary: "fill placeholders", files: [{ path: "/filled", content }] });
    const result = run("bash", ["-s"], renderPrelude(env) + script, { PROVISION_ROOT: root });
    if (result.status !== 0) throw new Error(`filling placeholders failed:\n${result.output}`);
    return readFileSync(join(root, "filled"), "utf8");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
