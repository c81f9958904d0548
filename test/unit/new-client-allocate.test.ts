import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { allocate, BLOCKS, subnetPlan, type AllocationRequest, type Block } from "../../scripts/lib/allocate";

const blocks = Object.keys(BLOCKS) as Block[];

const requests = fc
  .array(fc.record({ block: fc.constantFrom(...blocks), needsVmid: fc.boolean() }), { maxLength: 60 })
  .map((list): AllocationRequest[] => list.map((r, i) => ({ id: `guest${i}`, ...r })));

/** A random network: random bytes masked to a prefix from /16 to /29. */
const subnets = fc
  .tuple(fc.integer({ min: 16, max: 29 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
  .map(([prefix, n]) => {
    const masked = Math.floor(n / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
    const ip = [24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256).join(".");
    return `${ip}/${prefix}`;
  });

describe("allocate", () => {
  it("gives unique addresses and VMIDs inside the subnet, never the network, broadcast, gateway or host address", () => {
    fc.assert(
      fc.property(subnets, requests, (subnet, reqs) => {
        const plan = subnetPlan(subnet);
        const range = ipaddr.IPv4.parseCIDR(subnet);
        const reserved = new Set([
          ipaddr.IPv4.networkAddressFromCIDR(subnet).toString(),
          ipaddr.IPv4.broadcastAddressFromCIDR(subnet).toString(),
          plan.gateway,
          plan.host,
        ]);
        const room = 2 ** (32 - plan.prefix) - 4;
        if (reqs.length > room) {
          expect(() => allocate(subnet, reqs)).toThrow(/no free address/);
          return;
        }
        const out = allocate(subnet, reqs);
        expect(out.map((a) => a.id)).toEqual(reqs.map((r) => r.id));
        expect(new Set(out.map((a) => a.ip)).size).toBe(out.length);
        const vmids = out.flatMap((a) => (a.vmid === undefined ? [] : [a.vmid]));
        expect(new Set(vmids).size).toBe(vmids.length);
        expect(vmids.length).toBe(reqs.filter((r) => r.needsVmid).length);
        for (const a of out) {
          expect(ipaddr.IPv4.parse(a.ip).match(range)).toBe(true);
          expect(reserved.has(a.ip)).toBe(false);
          if (a.vmid !== undefined) expect(a.vmid).toBeGreaterThanOrEqual(100);
        }
      }),
    );
  });

  it("keeps each block in its home range of a /24 while the range has room, and is deterministic", () => {
    fc.assert(
      fc.property(requests, (reqs) => {
        const out = allocate("10.20.0.0/24", reqs);
        expect(allocate("10.20.0.0/24", reqs)).toEqual(out);
        const perBlock = new Map<Block, number>();
        reqs.forEach((r, i) => {
          const n = perBlock.get(r.block) ?? 0;
          perBlock.set(r.block, n + 1);
          const last = Number(out[i].ip.split(".")[3]);
          if (n < 10) expect(last).toBe(BLOCKS[r.block].ipOffset + n);
          else expect(last).toBeGreaterThanOrEqual(3);
        });
      }),
    );
  });

  it("refuses a subnet with host bits set or too small to hold guests", () => {
    expect(() => subnetPlan("10.20.0.5/24")).toThrow(/host bits set; the network is 10.20.0.0\/24/);
    expect(() => subnetPlan("10.20.0.0/30")).toThrow(/too small/);
    expect(() => subnetPlan("10.20.0/24")).toThrow(/not an IPv4 network/);
    expect(subnetPlan("10.20.0.0/24")).toEqual({
      cidr: "10.20.0.0/24",
      gateway: "10.20.0.1",
      host: "10.20.0.2",
      prefix: 24,
    });
  });
});
