/** Proxmox returns tags lower-cased and sorted; giving them that way keeps previews quiet. */
export function guestTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.toLowerCase().replace(/[^a-z0-9_.-]/g, "-")))].sort();
}
