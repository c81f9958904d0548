/**
 * Names the box gives to what it creates outside its guests (namespaces, host-side veths). A
 * `BOX_INSTANCE` letter or digit lets several boxes run on one machine at once, each with its own
 * cache directory (`XDG_CACHE_HOME`): the stacks' addresses repeat, the namespaces keep them apart.
 */
function instanceTag(): string {
  const tag = process.env.BOX_INSTANCE ?? "";
  if (!/^[a-z0-9]?$/.test(tag)) throw new Error(`BOX_INSTANCE: expected one letter or digit, found "${tag}"`);
  return tag;
}

const tag = instanceTag();

export const SWITCH_NETNS = `pxbox${tag}-sw`;
export const CLIENT_NETNS = `pxbox${tag}-client`;
/** Host-side veth of the client namespace. */
export const CLIENT_HOST_IF = `pxb${tag}c`;
/** Host-side veth of a guest (interface names have at most 15 characters). */
export const guestHostIf = (vmid: number): string => `pxb${tag}${vmid}`;
/** Host-side veth of a node stand-in. */
export const nodeHostIf = (index: number): string => `pxb${tag}n${index}`;
/** A check's namespace standing in on a guest's address while the guest is not in the box. */
export const standInNetns = (vmid: number): string => `pxbox${tag}-at${vmid}`;
/** Host-side veth of such a namespace. */
export const standInHostIf = (vmid: number): string => `pxb${tag}a${vmid}`;
