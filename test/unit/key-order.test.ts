import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { runUnderMocks, type MockRun } from "../../scripts/lib/mock-run";

/**
 * A YAML map's key order means nothing: a stack file with every map's keys shuffled must register
 * exactly the same resources with exactly the same inputs (which balancer is MASTER, Redis database
 * numbers, rule order, names), under the real program and Pulumi's mocks.
 */
const root = resolve(__dirname, "../..");
type Doc = { config: Record<string, unknown> };

/** Every map of `value` with its keys in the order `pick` chooses; lists keep their order. */
function shuffled(value: unknown, pick: (n: number) => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, pick));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const out: [string, unknown][] = [];
  while (entries.length > 0) {
    const [entry] = entries.splice(pick(entries.length), 1);
    out.push([entry[0], shuffled(entry[1], pick)]);
  }
  return Object.fromEntries(out);
}

/** A deterministic stream of choices from a seed (a small LCG is enough to permute keys). */
function chooser(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/** What `pulumi up` would be asked to do, in registration order. */
function registered(run: MockRun) {
  return run.resources.map((r) => ({
    urn: r.urn,
    parent: r.parent,
    inputs: r.inputs,
    secretPaths: [...r.secretPaths].sort(),
    protect: r.protect,
    dependsOn: r.dependsOn,
  }));
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "proxmox-sites-key-order-"));
  writeFileSync(join(scratch, "Pulumi.yaml"), readFileSync(join(root, "Pulumi.yaml")));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const RUNS_PER_STACK = 3;

describe.each(["school", "prod"])("the %s stack with its maps' keys shuffled", (stack) => {
  jest.setTimeout(240_000);

  it("registers the same resources with the same inputs", async () => {
    const doc = parse(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")) as Doc;
    const expected = registered(await runUnderMocks(stack, root));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        // Same stack name (it is part of rendered files), in a directory of its own.
        const text = stringify({ ...doc, config: shuffled(doc.config, chooser(seed)) });
        writeFileSync(join(scratch, `Pulumi.${stack}.yaml`), text);
        expect(registered(await runUnderMocks(stack, scratch))).toEqual(expected);
      }),
      { numRuns: RUNS_PER_STACK },
    );
  });
});

/** The clear text of a provisioning command's stdin (the prelude's secrets included: test only). */
const stdinOf = (run: MockRun, name: string) => {
  const command = run.resources.find((r) => r.name === name && r.type === "command:remote:Command");
  if (!command) throw new Error(`no command ${name}`);
  return String(run.clearInputs.get(command.urn)!.stdin);
};

describe("a new map key that sorts before the others", () => {
  jest.setTimeout(120_000);

  it("leaves the named primary balancer MASTER (keepalived priority)", async () => {
    const doc = parse(readFileSync(join(root, "Pulumi.school.yaml"), "utf8")) as Doc;
    const moodle = doc.config["proxmox-sites:moodle"] as { loadBalancers: Record<string, object> };
    moodle.loadBalancers.lb0 = {
      ...moodle.loadBalancers.lb2,
      vmid: 202,
      hostname: "moodle-lb0",
      ip: "10.10.0.23",
    };
    writeFileSync(join(scratch, "Pulumi.school.yaml"), stringify(doc));
    const run = await runUnderMocks("school", scratch);
    // Only the priority line is compared: a failure message must not print the script's prelude.
    const priority = (name: string) => /\n\s+priority (\d+)\n/.exec(stdinOf(run, name))?.[1];
    expect([priority("moodle-lb1-balancer"), priority("moodle-lb0-balancer")]).toEqual(["150", "100"]);
  });

  it("leaves each Nextcloud instance on its named Redis database", async () => {
    const doc = parse(readFileSync(join(root, "Pulumi.prod.yaml"), "utf8")) as Doc;
    const nextcloud = doc.config["proxmox-sites:nextcloud"] as Record<string, Record<string, unknown>>;
    nextcloud.abc = {
      ...nextcloud.maro,
      vmid: 402,
      hostname: "nextcloud-abc",
      ip: "192.168.0.42",
      cores: 1,
      memoryMb: 512,
      publicHostname: "abc.bowbo.example",
      redisDatabase: 3,
    };
    writeFileSync(join(scratch, "Pulumi.prod.yaml"), stringify(doc));
    const run = await runUnderMocks("prod", scratch);
    const dbindex = (name: string) => /'dbindex' => (\d+)/.exec(stdinOf(run, name))?.[1];
    expect([
      dbindex("nextcloud-bowbo-install"),
      dbindex("nextcloud-maro-install"),
      dbindex("nextcloud-abc-install"),
    ]).toEqual(["1", "2", "3"]);
  });
});
