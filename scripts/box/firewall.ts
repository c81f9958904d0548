/**
 * The box's firewall: runs the program under Pulumi's mock monitor for a stack (the plan's and the
 * deploy benchmark's mocks), reads the firewall it registers, translates it into nftables, and
 * loads a ruleset into a network namespace.
 * Run: npx tsx scripts/box/firewall.ts --stack school [--out dir] [--check]
 *   prints every ruleset (or writes <dir>/<guest key>.nft and <dir>/node-<name>.nft); --check
 *   also has the kernel check each one (`nft -c`, in a throwaway network namespace; needs root).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { translateFirewall, type FirewallRulesets } from "../../components/firewall/nftables";
import type { FirewallView } from "../../components/firewall/firewall-view";
import { runUnderMocks, type MockRun } from "../lib/mock-run";
import { extractFirewall, type RegisteredResource } from "./firewall-extract";

const TIMEOUT_MS = 15000;

/** The firewall a finished mock run registered, as plain data. */
export function firewallFromRun(run: MockRun): FirewallView {
  return extractFirewall(
    run.stack,
    run.resources
      .filter((r) => r.custom)
      .map((r) => ({ type: r.type, name: r.name, inputs: run.clearInputs.get(r.urn) ?? {} })),
  );
}

/**
 * Every ruleset from registrations another recorder already holds (type, logical name, inputs with
 * secrets in clear), e.g. the box runner's own mock run: no second run of the program.
 */
export function firewallRulesetsFromResources(
  stack: string,
  resources: readonly RegisteredResource[],
): FirewallRulesets {
  return translateFirewall(extractFirewall(stack, resources));
}

/** Runs the program for `stack` under mocks and reads the firewall it registers. */
export async function loadFirewallView(stack: string, dir?: string): Promise<FirewallView> {
  return firewallFromRun(await runUnderMocks(stack, dir));
}

/** Every guest's (by stack key) and node's (by name) nftables ruleset for `stack`. */
export async function firewallRulesetsForStack(stack: string, dir?: string): Promise<FirewallRulesets> {
  return translateFirewall(await loadFirewallView(stack, dir));
}

function nft(args: string[], input: string): void {
  try {
    execFileSync(args[0], args.slice(1), { input, timeout: TIMEOUT_MS, stdio: ["pipe", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`${args.join(" ")} failed${stderr ? `:\n${stderr}` : ""}`, { cause: error });
  }
}

/** Loads a ruleset into an existing network namespace (`ip netns exec <ns> nft -f -`), replacing its table. */
export function applyRuleset(namespace: string, ruleset: string): void {
  nft(["ip", "netns", "exec", namespace, "nft", "-f", "-"], ruleset);
}

/** Has the kernel check a ruleset without loading it, in a throwaway network namespace. */
export function checkRuleset(ruleset: string): void {
  nft(["unshare", "--net", "nft", "-c", "-f", "-"], ruleset);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { stack: { type: "string" }, out: { type: "string" }, check: { type: "boolean" } },
  });
  if (!values.stack) throw new Error("usage: firewall.ts --stack <name> [--out dir] [--check]");
  const rulesets = await firewallRulesetsForStack(values.stack);
  const files = [
    ...[...rulesets.guests].map(([key, text]) => [`${key}.nft`, text]),
    ...[...rulesets.nodes].map(([name, text]) => [`node-${name}.nft`, text]),
  ];
  for (const [file, text] of files) {
    if (values.check) checkRuleset(text);
    if (values.out) {
      mkdirSync(resolve(values.out), { recursive: true });
      writeFileSync(join(resolve(values.out), file), text);
    } else process.stdout.write(`# ==> ${file}\n${text}\n`);
  }
  if (values.out || values.check)
    console.log(`${files.length} rulesets${values.check ? ", each accepted by nft -c" : ""}`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
