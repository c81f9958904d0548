/**
 * Cross-check of a `sharedFiles` node: it must be a node of the cluster. Pure.
 */
import type { ConfigProblem } from "./problems";
import type { SiteConfig } from "./schema";
import type { SharedFilesNode } from "./shared-files";

export function checkFilesNode(
  site: SiteConfig,
  configPath: string,
  files: SharedFilesNode,
  errors: ConfigProblem[],
): void {
  const names = site.proxmox.nodes.map((n) => n.name);
  if (!names.includes(files.node))
    errors.push({
      path: `${configPath}.node`,
      message: `"${files.node}" is not one of proxmox.nodes (${names.join(", ")})`,
    });
}
