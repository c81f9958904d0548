import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { TemplateConfig } from "../../config/templates";

export interface TemplateStoreArgs {
  /** Templates by key that at least one guest uses. */
  templates: Record<string, TemplateConfig>;
  /** Guest template usage: node name → template keys needed there. */
  needed: Record<string, string[]>;
  /** Storage holding vztmpl content on every node. */
  datastoreId: string;
  provider: proxmoxve.Provider;
}

/** Downloads each OS template once per node; every guest on that node shares it. */
export class TemplateStore extends pulumi.ComponentResource {
  /** Volume id (e.g. local:vztmpl/debian-12-….tar.zst) by node and template key. */
  readonly fileIds: Record<string, Record<string, pulumi.Output<string>>> = {};
  readonly downloads: proxmoxve.download.File[] = [];

  constructor(name: string, args: TemplateStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("proxmox-sites:proxmox:TemplateStore", name, {}, opts);
    for (const [node, keys] of Object.entries(args.needed).sort(([a], [b]) => a.localeCompare(b))) {
      this.fileIds[node] = {};
      for (const key of [...new Set(keys)].sort()) {
        const tpl = args.templates[key];
        const file = new proxmoxve.download.File(
          `${name}-${node}-${key}`,
          {
            nodeName: node,
            datastoreId: args.datastoreId,
            contentType: "vztmpl",
            url: tpl.url,
            fileName: tpl.fileName,
            checksum: tpl.checksum,
            checksumAlgorithm: tpl.checksum ? tpl.checksumAlgorithm : undefined,
            // A template is versioned by name; re-downloading on an upstream size change would
            // churn every preview.
            overwrite: false,
            uploadTimeout: 1800,
          },
          { parent: this, provider: args.provider },
        );
        this.downloads.push(file);
        this.fileIds[node][key] = file.id;
      }
    }
    this.registerOutputs({ fileIds: this.fileIds });
  }
}
