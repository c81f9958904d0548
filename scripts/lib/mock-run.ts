import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { readStackFile, PROJECT, type StackFile } from "../../config/stack-file";
import { aliasUrns, withoutStackType, type ResolvedAlias } from "./alias-urns";
import { generatedSecrets, mockOutputs, randomSecrets, type SecretSource } from "./mock-outputs";

/** Stands in for a secret value wherever the plan prints an input. */
export const SECRET_MARK = "[secret]";

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent component; undefined for top-level resources. */
  parent?: string;
  custom: boolean;
  /** Inputs as `pulumi up` would send them, secrets replaced by SECRET_MARK. */
  inputs: Record<string, unknown>;
  /** Dotted paths of inputs that are secret. */
  secretPaths: string[];
  protect: boolean;
  deleteBeforeReplace: boolean;
  /** URNs of explicit dependencies. */
  dependsOn: string[];
  /** Name of the explicit provider resource (`type::name`); undefined for the default provider. */
  provider?: string;
  /** The URNs it also answers to through `aliases`, its own or its parent's. */
  aliases: string[];
}

export interface MockRun {
  stack: string;
  resources: RecordedResource[];
  /** Every secret value seen in any input: the secrets audit looks for them elsewhere. */
  secretValues: Set<string>;
  /** The credentials themselves: passwords, keys and tokens the mocks generated, and secure: placeholders. */
  generatedSecrets: Set<string>;
  /** Inputs with secrets in clear, by URN (for audits only; never printed). */
  clearInputs: Map<string, Record<string, unknown>>;
  outputs: Record<string, unknown>;
}

interface Pending {
  resource: pulumi.Resource;
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: pulumi.Resource;
  props: Record<string, unknown>;
  opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
}

/** Marks secure: values the plan cannot decrypt; stays a secret all the way. */
function placeholderFor(key: string): string {
  const value = `placeholder-${key}-${randomBytes(6).toString("hex")}`;
  generatedSecrets.add(value);
  return value;
}

/** Config for setAllConfig from a stack file: objects as JSON, secure: keys as secret placeholders. */
export function configFromStackFile(file: StackFile): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.values)) {
    config[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  for (const [key, value] of Object.entries(file.foreign)) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const secretKeys = file.secureKeys.map((k) => `${PROJECT}:${k}`);
  for (const key of file.secureKeys) config[`${PROJECT}:${key}`] = placeholderFor(key);
  return { config, secretKeys };
}

function valueOf<T>(o: pulumi.Output<T>, timeoutMs: number): Promise<T | undefined> {
  return new Promise((done) => {
    const timer = setTimeout(() => done(undefined), timeoutMs);
    o.apply((v) => {
      clearTimeout(timer);
      done(v);
      return v;
    });
  });
}

async function resolveValue(
  value: unknown,
  path: string,
  secretPaths: string[],
  secrets: Set<string>,
  names: Map<pulumi.Resource, string>,
): Promise<{ shown: unknown; clear: unknown }> {
  if (pulumi.Output.isInstance(value)) {
    const secret = await pulumi.isSecret(value);
    const inner = await valueOf(value, 5000);
    const resolved = await resolveValue(inner, path, secretPaths, secrets, names);
    if (secret) {
      secretPaths.push(path);
      collectSecretStrings(resolved.clear, secrets);
      return { shown: SECRET_MARK, clear: resolved.clear };
    }
    return resolved;
  }
  if (value instanceof Promise) return resolveValue(await value, path, secretPaths, secrets, names);
  if (pulumi.Resource.isInstance(value)) {
    const name = names.get(value) ?? "resource";
    return { shown: `<${name}>`, clear: `<${name}>` };
  }
  if (Array.isArray(value)) {
    const items = await Promise.all(
      value.map((v, i) => resolveValue(v, `${path}.${i}`, secretPaths, secrets, names)),
    );
    return { shown: items.map((i) => i.shown), clear: items.map((i) => i.clear) };
  }
  if (value && typeof value === "object") {
    const shown: Record<string, unknown> = {};
    const clear: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const r = await resolveValue(v, path ? `${path}.${k}` : k, secretPaths, secrets, names);
      shown[k] = r.shown;
      clear[k] = r.clear;
    }
    return { shown, clear };
  }
  return { shown: value, clear: value };
}

/** An alias with its parent as a URN of this run (a former parent given as a URN: as the engine has it). */
async function resolveAlias(
  alias: pulumi.Input<string | pulumi.Alias>,
  urns: Map<pulumi.Resource, string>,
): Promise<ResolvedAlias> {
  const a = await valueOf(pulumi.output(alias) as pulumi.Output<string | pulumi.Alias>, 5000);
  if (a === undefined) throw new Error("an alias did not resolve");
  if (typeof a === "string") return { urn: a };
  const text = async (v: pulumi.Input<string> | undefined) =>
    v === undefined ? undefined : valueOf(pulumi.output(v), 5000);
  const [name, type] = [await text(a.name), await text(a.type)];
  if (!("parent" in a)) return { name, type };
  if (a.parent === undefined) return { name, type, parent: null };
  if (pulumi.Resource.isInstance(a.parent)) return { name, type, parent: urns.get(a.parent) };
  const parent = await text(a.parent);
  return { name, type, parent: parent === undefined ? undefined : withoutStackType(parent) };
}

/**
 * Secret-marked objects can carry plain parts (the provider's ssh block holds node addresses);
 * generated and configured secrets are long, so short strings are not treated as secrets.
 */
function collectSecretStrings(value: unknown, into: Set<string>) {
  if (typeof value === "string" && value.length >= 16) into.add(value);
  else if (Array.isArray(value)) value.forEach((v) => collectSecretStrings(v, into));
  else if (value && typeof value === "object")
    Object.values(value).forEach((v) => collectSecretStrings(v, into));
}

/**
 * Points Pulumi's runtime at a stack file's config and at mocks that answer like the providers
 * (generated secrets, volume ids, the tunnel token). `delayMs` lets the deploy benchmark make each
 * creation take time; `secrets` lets the box generate the same passwords on every run.
 */
export async function installStackMocks(
  file: StackFile,
  delayMs: (args: pulumi.runtime.MockResourceArgs) => number = () => 0,
  secrets: SecretSource = randomSecrets,
): Promise<void> {
  generatedSecrets.clear();
  const { config, secretKeys } = configFromStackFile(file);
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        const ms = delayMs(args);
        if (ms > 0) await new Promise((done) => setTimeout(done, ms));
        return {
          id: `${args.name}-id`,
          state: { ...args.inputs, ...mockOutputs(args.type, args.name, args.inputs, secrets) },
        };
      },
      call: (args) => mockOutputs(args.token, "call", args.inputs, secrets),
    },
    PROJECT,
    file.stack,
    false,
  );
}

/**
 * Runs the real program in-process under Pulumi's mock monitor with a stack file's config and
 * records every resource it registers, with resolved inputs and secret markings.
 */
export async function runUnderMocks(stack: string, dir = resolve(__dirname, "../..")): Promise<MockRun> {
  await installStackMocks(readStackFile(dir, stack));
  const pending: Pending[] = [];
  const names = new Map<pulumi.Resource, string>();
  const urns = new Map<pulumi.Resource, string>();
  let outputs: Record<string, unknown> = {};
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((t) => {
      const parentUrn = t.opts.parent ? urns.get(t.opts.parent) : undefined;
      const parentTypes = parentUrn ? parentUrn.split("::")[2] + "$" : "";
      const urn = `urn:pulumi:${stack}::${PROJECT}::${parentTypes}${t.type}::${t.name}`;
      names.set(t.resource, `${t.type}::${t.name}`);
      urns.set(t.resource, urn);
      pending.push({
        resource: t.resource,
        urn,
        type: t.type,
        name: t.name,
        custom: t.resource instanceof pulumi.CustomResource,
        parent: t.opts.parent,
        props: t.props,
        opts: t.opts,
      });
      return undefined;
    });
    // Imported here so that nothing of the program runs before the mocks exist.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildProgram } = require("../../components/program") as typeof import("../../components/program");
    outputs = buildProgram() as Record<string, unknown>;
    return outputs;
  });
  // Registrations reach the mock monitor asynchronously: wait until every resource has its URN.
  await Promise.all(pending.map((p) => valueOf(p.resource.urn, 5000)));
  const generated = new Set<string>(generatedSecrets);
  generatedSecrets.clear();
  const secretValues = new Set<string>(generated);
  const clearInputs = new Map<string, Record<string, unknown>>();
  const resources: RecordedResource[] = [];
  for (const p of pending) {
    const secretPaths: string[] = [];
    const r = await resolveValue(p.props ?? {}, "", secretPaths, secretValues, names);
    const u = p.urn;
    clearInputs.set(u, r.clear as Record<string, unknown>);
    resources.push({
      urn: u,
      type: p.type,
      name: p.name,
      parent: p.parent ? urns.get(p.parent) : undefined,
      custom: p.custom,
      inputs: r.shown as Record<string, unknown>,
      secretPaths,
      protect: Boolean(p.opts.protect),
      deleteBeforeReplace: Boolean(p.opts.deleteBeforeReplace),
      dependsOn: [p.opts.dependsOn ?? []]
        .flat()
        .filter(pulumi.Resource.isInstance)
        .map((d) => urns.get(d) ?? "?"),
      provider: p.opts.provider ? names.get(p.opts.provider) : undefined,
      aliases: [],
    });
  }
  const aliasesOf = new Map<string, string[]>();
  for (const [i, p] of pending.entries()) {
    const parent = p.parent ? urns.get(p.parent) : undefined;
    const specs = await Promise.all([p.opts.aliases ?? []].flat().map((a) => resolveAlias(a, urns)));
    const parentAliases = parent ? (aliasesOf.get(parent) ?? []) : [];
    const self = { stack, project: PROJECT, type: p.type, name: p.name, parent };
    aliasesOf.set(p.urn, aliasUrns(self, specs, parentAliases));
    resources[i].aliases = aliasesOf.get(p.urn)!;
  }
  const resolvedOutputs = await resolveValue(outputs, "", [], secretValues, names);
  return {
    stack,
    resources,
    secretValues,
    generatedSecrets: generated,
    clearInputs,
    outputs: resolvedOutputs.shown as Record<string, unknown>,
  };
}
