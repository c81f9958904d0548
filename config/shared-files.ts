/**
 * `sharedFiles` of a load-balanced cluster (Moodle's, a web cluster's): the Proxmox node that serves its
 * shared files over NFS (NFS-Ganesha) from a directory of its own. No NFS server runs in a Proxmox
 * container (AppArmor stops the kernel server, LXC's seccomp stops Ganesha's open_by_handle_at), so the
 * server is a node. The earlier guest-shaped value gets one error that says so. Pure.
 */
import { z } from "zod";
import { hostLabel, ipv4 } from "./primitives";

/** Keys of the former files guest (an LXC guest with a data volume). */
const guestKeys = ["vmid", "hostname", "ip", "cores", "memoryMb", "diskGb", "data"];

export const sharedFilesNodeSchema = z
  .object({
    /** Name of the Proxmox node (one of proxmox.nodes) that serves the files. */
    node: hostLabel,
    /** Directory on that node holding the export; the shared directory is made inside it. */
    path: z.string().regex(/^\/[\w.-]+(\/[\w.-]+)*$/, {
      message: "must be an absolute directory on the node without a trailing slash, such as /srv/moodledata",
    }),
  })
  .strict();

export type SharedFilesNode = z.infer<typeof sharedFilesNodeSchema>;

/** The files node, or one clear error for a guest-shaped value (see docs/configuration.md, migration). */
export const sharedFilesSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    if (typeof value !== "object" || value === null) return;
    const old = guestKeys.filter((k) => k in value);
    if (old.length > 0)
      ctx.addIssue({
        code: "custom",
        message: `has ${old.join(", ")} of a files guest, but the files server is now a Proxmox node: write { node: <a proxmox.nodes name>, path: <directory on it> } and copy the guest's data there (docs/configuration.md, "Shared files on a node")`,
        abort: true,
      });
  })
  .pipe(sharedFilesNodeSchema);

/** A cluster's files node, as the firewall, the plan and the checks need it. */
export interface FilesNodeUse {
  /** Stack key of the sharedFiles value (moodle.sharedFiles, webClusters.<name>.sharedFiles). */
  configPath: string;
  node: string;
  path: string;
  /** What the files are, for people: "moodledata", "portal shared files". */
  label: string;
}

/** Every cluster of the site whose shared files a Proxmox node serves. */
export function filesNodes(site: {
  moodle?: { sharedFiles?: SharedFilesNode };
  webClusters?: Record<string, { sharedFiles?: SharedFilesNode }>;
}): FilesNodeUse[] {
  const uses: FilesNodeUse[] = [];
  if (site.moodle?.sharedFiles)
    uses.push({ configPath: "moodle.sharedFiles", ...site.moodle.sharedFiles, label: "moodledata" });
  for (const [name, c] of Object.entries(site.webClusters ?? {}).sort(([a], [b]) => a.localeCompare(b)))
    if (c.sharedFiles)
      uses.push({
        configPath: `webClusters.${name}.sharedFiles`,
        ...c.sharedFiles,
        label: `${name} shared files`,
      });
  return uses;
}

/**
 * `sharedStorage` of a load-balanced cluster: the NFS storage of the Proxmox cluster that holds its
 * shared files. Proxmox mounts it on every node at /mnt/pve/<id>; each app node gets <id>/<directory> as
 * a bind mount (the kernel refuses NFS mounts inside an unprivileged container). Served by `sharedFiles`
 * unless `server` names a NAS. `id` is the cluster's own storage id schema (Moodle's has a fixed
 * default, a web cluster's defaults to its name); `directory` is the default directory, also named in
 * its error message.
 */
export function sharedStorageSchema<Id extends z.ZodType<string | undefined>>(id: Id, directory: string) {
  return z
    .object({
      /** Proxmox storage id the cluster registers. */
      id,
      /** NFS server (an external NAS); default the sharedFiles node's address. */
      server: ipv4.optional(),
      /** Exported path; default sharedFiles.path. */
      export: z
        .string()
        .regex(/^\/[\w.-]+(\/[\w.-]+)*$/, { message: "must be an absolute path without a trailing slash" })
        .optional(),
      /** Directory inside the export that the app nodes share. */
      directory: z
        .string()
        .regex(/^[A-Za-z0-9][\w.-]*$/, { message: `must be one directory name such as ${directory}` })
        .default(directory),
      /** Mount options the nodes use (pvesm `options`). Default vers=4.2. */
      options: z
        .string()
        .regex(/^[a-z0-9_.=-]+(,[a-z0-9_.=-]+)*$/, { message: "must be NFS mount options such as vers=4.2" })
        .default("vers=4.2"),
    })
    .strict();
}
