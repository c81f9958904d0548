/**
 * Runs a stack's real program under Pulumi's mock monitor where creating a resource takes its
 * latency (bench/lib/deploy-latency.ts, scaled down), and records, for every registration, what the
 * Node SDK told the engine the resource waits for and when it actually started and finished.
 */
import * as pulumi from "@pulumi/pulumi";
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { readStackFile, type StackFile } from "../../config/stack-file";
import { installStackMocks } from "../../scripts/lib/mock-run";
import { generatedSecrets, randomSecrets, type SecretSource } from "../../scripts/lib/mock-outputs";
import { latencyOf } from "./deploy-latency";

/** One registered resource, as the engine would have seen it, with its simulated timing. */
export interface SimResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** URNs of the providers the SDK resolved before registering (custom: one; components: any). */
  providers: string[];
  /** Every URN the SDK listed as a dependency: explicit dependsOn and Output inputs, components expanded. */
  dependencies: string[];
  /** The subset that reached it through an input property (data flowing in). */
  inputDependencies: string[];
  /** The registered inputs that name a guest: `vmId`, `containerId` (numbers), `create` (command text). */
  inputs: Record<string, unknown>;
  /** Every registered input with secrets in clear; only when the run asked for it (the box). */
  clearInputs?: Record<string, unknown>;
  latencySeconds: number;
  knownLatency: boolean;
  /** Milliseconds (performance.now) when the monitor got the registration and when it answered. */
  startMs: number;
  endMs: number;
}

export interface SimRun {
  stack: string;
  /** Realistic seconds ÷ scale = simulated seconds. */
  scale: number;
  resources: SimResource[];
}

/** The protobuf request and response fields the recorder reads (resource_pb RegisterResource*). */
interface ProtoMap<V> {
  forEach(cb: (value: V, key: string) => void): void;
}
interface RegisterRequest {
  getObject():
    { getFieldsMap(): { get(key: string): ProtoValue | undefined }; toJavaScript(): unknown } | undefined;
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getProvidersMap(): ProtoMap<string>;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): ProtoMap<{ getUrnsList(): string[] }>;
}
interface ProtoValue {
  hasNumberValue(): boolean;
  getNumberValue(): number;
  hasStringValue(): boolean;
  getStringValue(): string;
}
type RegisterCallback = (err: Error | null, resp?: { getUrn(): string }) => void;
interface RecordableMonitor {
  registerResource(req: RegisterRequest, cb: RegisterCallback): unknown;
}

/** A provider reference is "<urn>::<id>"; URNs themselves contain "::". */
function providerUrn(ref: string): string | undefined {
  return ref ? ref.slice(0, ref.lastIndexOf("::")) : undefined;
}

function waitForUrn(r: pulumi.Resource, timeoutMs: number): Promise<boolean> {
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    r.urn.apply((u) => {
      clearTimeout(timer);
      done(true);
      return u;
    });
  });
}

/** The only inputs the analysis reads (which guest a resource acts on), without decoding the rest. */
function guestInputs(req: RegisterRequest): Record<string, unknown> {
  const fields = req.getObject()?.getFieldsMap();
  const inputs: Record<string, unknown> = {};
  for (const key of ["vmId", "containerId"]) {
    const v = fields?.get(key);
    if (v?.hasNumberValue()) inputs[key] = v.getNumberValue();
  }
  const create = fields?.get("create");
  if (create?.hasStringValue()) inputs.create = create.getStringValue();
  return inputs;
}

/** The SDK's wire marker of a secret value ({ sig, value }). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

/** A serialized property value with secret markers removed (the values stay). */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (SECRET_SIG_KEY in o) return unwrapSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/**
 * Wraps the mock monitor's registerResource: the request carries exactly the dependency lists the
 * SDK computed for the engine, and the call/answer times bracket the mocked creation.
 */
function recordRegistrations(
  into: SimResource[],
  keepInputs: boolean,
  measured: ReadonlyMap<string, number> | undefined,
): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as RecordableMonitor | undefined;
  if (!monitor) throw new Error("no mock monitor: setMocks must run first");
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const startMs = performance.now();
    const type = req.getType();
    const custom = req.getCustom();
    const inputDeps = new Set<string>();
    req.getPropertydependenciesMap().forEach((v) => v.getUrnsList().forEach((u) => inputDeps.add(u)));
    const providers: string[] = [];
    const own = providerUrn(req.getProvider());
    if (own) providers.push(own);
    req.getProvidersMap().forEach((ref) => {
      const u = providerUrn(ref);
      if (u && !providers.includes(u)) providers.push(u);
    });
    const latency = latencyOf(type, custom, req.getName(), measured);
    const record: SimResource = {
      urn: "",
      type,
      name: req.getName(),
      custom,
      parent: req.getParent() || undefined,
      providers,
      dependencies: req.getDependenciesList(),
      inputDependencies: [...inputDeps],
      inputs: guestInputs(req),
      clearInputs: keepInputs
        ? (unwrapSecrets(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>)
        : undefined,
      latencySeconds: latency.seconds,
      knownLatency: latency.known,
      startMs,
      endMs: NaN,
    };
    into.push(record);
    return register(req, (err, resp) => {
      record.endMs = performance.now();
      record.urn = resp?.getUrn() ?? "";
      cb(err, resp);
    });
  };
}

/** What the box needs beyond the benchmark: its own stack file, fixed secrets, every input. */
export interface SimulateOptions {
  /** Use this stack file instead of reading Pulumi.<stack>.yaml from `root`. */
  file?: StackFile;
  secrets?: SecretSource;
  /** Keep every registered input with secrets in clear (`SimResource.clearInputs`). */
  keepInputs?: boolean;
  /** Measured seconds by resource name (the box's figures) that replace the table's latencies. */
  measured?: ReadonlyMap<string, number>;
}

/** Simulates `pulumi up` of one stack file from `root`; `scale` divides every latency. */
export async function simulateDeploy(
  stack: string,
  scale: number,
  root = resolve(__dirname, "../.."),
  options: SimulateOptions = {},
) {
  if (!(scale > 0)) throw new Error("scale must be positive");
  const msPerSecond = 1000 / scale;
  await installStackMocks(
    options.file ?? readStackFile(root, stack),
    (args) => latencyOf(args.type, args.custom ?? true, args.name, options.measured).seconds * msPerSecond,
    options.secrets ?? randomSecrets,
  );
  const resources: SimResource[] = [];
  recordRegistrations(resources, options.keepInputs ?? false, options.measured);
  // Loaded before the clock matters; loading creates nothing (no resources at import time).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildProgram } = require("../../components/program") as typeof import("../../components/program");
  const constructed: pulumi.Resource[] = [];
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((t) => {
      constructed.push(t.resource);
      return undefined;
    });
    return buildProgram();
  });
  // Bounded: a minute of overhead plus an hour of realistic deployment time.
  const budgetMs = 60_000 + 3600 * msPerSecond;
  const done = await Promise.all(constructed.map((r) => waitForUrn(r, budgetMs)));
  const missing = done.filter((d) => !d).length;
  if (missing > 0) throw new Error(`${stack}: ${missing} resources never finished registering`);
  generatedSecrets.clear();
  const unanswered = resources.filter((r) => Number.isNaN(r.endMs));
  if (unanswered.length > 0) throw new Error(`${stack}: ${unanswered.length} registrations unanswered`);
  return { stack, scale, resources } satisfies SimRun;
}
