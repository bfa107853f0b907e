// `fuzz(wasm, options)`: random but valid Envoy traffic against a filter, many runs on one VM
// (new streams per run), fast-check's shrinking on what fails, and a node:test case that makes
// the same calls. A failure is played again on a fresh VM, so the reported run needs nothing
// that earlier runs left behind.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { readModuleInfo } from "../binary.js";
import { LoadError } from "../errors.js";
import { Host, type HostOptions, type WasmSource } from "../host.js";
import { loadSourceMap } from "../trap_location.js";
import type { PluginOptions, RootContext } from "../root_context.js";
import { httpStory, tcpStory, type TrafficOptions } from "./arbitraries.js";
import { reproduceTest, statements } from "./reproduce.js";
import { LogSink, StoryRun, type AllowedErrors, type FuzzCheck, type Problem } from "./runner.js";
import type { Story } from "./story.js";
import type { StreamHandle, TraceStep } from "./trace.js";

/** What a user invariant gets after each run that passed the built-in checks. */
export interface FuzzRun {
  host: Host;
  /** The fuzzed plugin (root context). */
  plugin: RootContext;
  /** The streams (HTTP) or connections (TCP) of the run, completed. */
  streams: StreamHandle[];
  story: Story;
  trace: TraceStep[];
}

export interface FuzzOptions extends TrafficOptions {
  /** The plugin's root_id. Default "". */
  rootId?: string;
  /** Plugin configuration (an object is sent as JSON). */
  pluginConfig?: string | Uint8Array | object;
  pluginName?: string;
  /** VM configuration, read in proxy_on_vm_start. */
  vmConfig?: string | Uint8Array | object;
  vmId?: string;
  /** HTTP streams or TCP connections. Default: tcp when the module exports TCP callbacks and no HTTP ones. */
  type?: "http" | "tcp";
  /** How many runs. Default 1000. */
  runs?: number;
  /** The seed of the generator (same seed, same runs). Default: a random one, reported. */
  seed?: number;
  /** Error and critical log lines that are not failures: true for all, or patterns. Default none. */
  allowErrors?: AllowedErrors;
  /** Your own check after every run; throw (or reject) to fail it. */
  invariant?: (run: FuzzRun) => void | Promise<void>;
  /** Host options (clusters, properties, foreignFunctions, logLevel, bufferLimit, time…). */
  host?: HostOptions;
  /** Plugins started in the same VM before the fuzzed one (e.g. a queue's receiver). */
  otherPlugins?: PluginOptions[];
  /** Runs before linear memory is watched for growth. Default runs / 10 (10…100). */
  warmupRuns?: number;
  /** How the printed test names the module. Default: the path given, as a string literal. */
  testWasm?: string;
  /** The module the printed test imports the host from. Default "proxy-wasm-as/host". */
  importFrom?: string;
}

export interface FuzzFailure {
  check: FuzzCheck;
  message: string;
  /** The shrunk run's calls, one statement each (the body of `test`). */
  events: string[];
  trace: TraceStep[];
  story: Story;
  /** The failing run was played again on a fresh VM and failed there too. */
  reproduced: boolean;
  /** How many shrinking steps fast-check took. */
  shrinks: number;
  /** fast-check's path to the counterexample (replay with `seed` and this path). */
  path: string | null;
  /** A node:test case that makes the same calls and fails the same way. */
  test: string;
}

export interface FuzzReport {
  ok: boolean;
  type: "http" | "tcp";
  seed: number;
  /** Runs made (up to the failing one). */
  runs: number;
  /**
   * Linear memory of the shared VM after warm-up and at the end, in bytes, and how many runs
   * that grew it after warm-up were replayed on a fresh VM to see whether it kept growing.
   */
  memory: { warm: number; end: number; replayed: number };
  failure: FuzzFailure | null;
}

/** Thrown inside the property: a run failed a check. */
class RunFailed extends Error {
  constructor(
    readonly problem: Problem,
    readonly trace: TraceStep[],
  ) {
    super(`${problem.check}: ${problem.message}`);
  }
}

/** Default virtual clock start: fixed, so a printed test sees the same times. */
const FUZZ_TIME = Date.UTC(2026, 0, 1);
/** Default buffer limit: small, so that Envoy's 413 / 500 and flow control are reached. */
const FUZZ_BUFFER_LIMIT = 64 * 1024;
/** Replays of a story whose run grew memory: quick look, then the long one (≥ 32 streams). */
const QUICK_ROUNDS = { warm: 4, measured: 4 };
const LONG_ROUNDS = { warm: 34, measured: 34 };

/** HTTP unless the module has only the TCP callbacks. */
export function detectType(wasm: Uint8Array): "http" | "tcp" {
  const names = new Set(readModuleInfo(wasm).exports.map((e) => e.name));
  const http = ["proxy_on_request_headers", "proxy_on_response_headers"].some((n) => names.has(n));
  const tcp = ["proxy_on_new_connection", "proxy_on_downstream_data"].some((n) => names.has(n));
  return tcp && !http ? "tcp" : "http";
}

async function bytesOf(wasm: WasmSource): Promise<Uint8Array> {
  if (wasm instanceof Uint8Array) return wasm;
  if (wasm instanceof ArrayBuffer) return new Uint8Array(wasm);
  const path = wasm instanceof URL ? fileURLToPath(wasm) : wasm;
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new LoadError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/** The options of Host.load that a test can write down (no functions). */
function writable(o: Record<string, unknown>): {
  kept: Record<string, unknown>;
  dropped: string[];
} {
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (typeof v === "function") dropped.push(k);
    else if (k === "foreignFunctions")
      dropped.push(...Object.keys(v as object).map((n) => `foreign function ${n}`));
    else if (v instanceof Uint8Array) kept[k] = Buffer.from(v).toString("utf8");
    else kept[k] = v;
  }
  return { kept, dropped };
}

/**
 * Fuzzes a filter: `runs` runs of generated traffic, each checked (no trap, no error log unless
 * allowed, every stream ends, valid headers and local replies, no memory growth after warm-up,
 * your invariant). Resolves to a report; on a failure it holds the shrunk run and a test.
 */
export async function fuzz(wasm: WasmSource, options: FuzzOptions = {}): Promise<FuzzReport> {
  const bytes = await bytesOf(wasm);
  // Found and parsed once (every fresh VM reuses it), so traps name the filter's source lines.
  const path =
    typeof wasm === "string" ? wasm : wasm instanceof URL ? fileURLToPath(wasm) : undefined;
  const sourceMap = (await loadSourceMap(bytes, path, undefined)) ?? false;
  const type = options.type ?? detectType(bytes);
  const runs = Math.max(1, Math.floor(options.runs ?? 1000));
  const seed = options.seed ?? (Math.random() * 2 ** 31) | 0;
  const allowErrors = options.allowErrors ?? false;
  const warmup = options.warmupRuns ?? Math.min(100, Math.max(10, Math.floor(runs / 10)));
  const hostOptions: HostOptions = {
    time: FUZZ_TIME,
    bufferLimit: FUZZ_BUFFER_LIMIT,
    ...options.host,
  };
  const own: PluginOptions = {
    rootId: options.rootId ?? "",
    pluginConfig: options.pluginConfig,
    pluginName: options.pluginName,
  };
  const vm = { vmConfig: options.vmConfig, vmId: options.vmId };
  const others = options.otherPlugins ?? [];

  /** A new host with the fuzzed plugin (after the others), its log lines going to `sink`. */
  const newHost = async (): Promise<{ host: Host; plugin: RootContext; sink: LogSink }> => {
    const sink = new LogSink();
    const userLog = hostOptions.onLog;
    const onLog: HostOptions["onLog"] = userLog
      ? (e) => {
          sink.onLog(e);
          userLog(e);
        }
      : sink.onLog;
    const first = others[0] ?? own;
    const host = await Host.load(bytes, {
      sourceMap,
      ...hostOptions,
      maxLogEntries: 1000,
      ...vm,
      ...first,
      onLog,
    });
    for (const p of others.slice(1)) host.addPlugin(p);
    const plugin = others.length ? host.addPlugin(own) : host.plugin;
    return { host, plugin, sink };
  };

  /** Plays a story; its problem (with the invariant's), or null. */
  const play = async (
    env: { host: Host; plugin: RootContext; sink: LogSink },
    story: Story,
  ): Promise<{ problem: Problem | null; trace: TraceStep[] }> => {
    const run = new StoryRun(env.host, env.plugin, story, env.sink, allowErrors);
    let problem = run.run();
    if (!problem && options.invariant) {
      try {
        await options.invariant({
          host: env.host,
          plugin: env.plugin,
          streams: [...run.streams.values()],
          story,
          trace: run.trace,
        });
      } catch (e) {
        problem = { check: "invariant", message: e instanceof Error ? e.message : String(e) };
      }
    }
    return { problem, trace: run.trace };
  };

  /** Plays the story again and again on a fresh VM: does memory keep growing? */
  const leakCheck = async (
    story: Story,
    rounds: { warm: number; measured: number },
  ): Promise<{ problem: Problem | null; trace: TraceStep[] }> => {
    const env = await newHost();
    let trace: TraceStep[] = [];
    const memory = () => env.plugin.vm.memory.size;
    for (let i = 0; i < rounds.warm; i++) {
      const r = await play(env, story);
      if (r.problem) return { problem: null, trace }; // another check's business
      trace = r.trace;
    }
    const warm = memory();
    for (let i = 0; i < rounds.measured; i++)
      if ((await play(env, story)).problem) return { problem: null, trace };
    const end = memory();
    if (end <= warm) return { problem: null, trace };
    const message =
      `linear memory grew from ${warm} to ${end} bytes while the same run was played ` +
      `${rounds.measured} more times after ${rounds.warm} (about ${Math.round((end - warm) / rounds.measured)} bytes a run)`;
    return { problem: { check: "memory-growth", message }, trace };
  };
  let replayed = 0;
  const leaks = async (story: Story) => {
    replayed++;
    const quick = await leakCheck(story, QUICK_ROUNDS);
    return quick.problem ? leakCheck(story, LONG_ROUNDS) : quick;
  };

  const shared = await newHost();
  const sharedMemory = () => shared.plugin.vm.memory.size;
  let warmMemory = sharedMemory();
  let done = 0;
  let target: FuzzCheck | null = null;
  let first: RunFailed | null = null;

  const arbitrary = type === "http" ? httpStory(options) : tcpStory(options);
  const property = fc.asyncProperty(arbitrary, async (story) => {
    if (target === null) {
      done++;
      const before = sharedMemory();
      const r = await play(shared, story);
      if (r.problem) {
        // Again on a fresh VM: the report must not depend on what earlier runs left.
        const fresh = await play(await newHost(), story);
        target = r.problem.check;
        first = new RunFailed(r.problem, r.trace);
        if (fresh.problem?.check === target) throw new RunFailed(fresh.problem, fresh.trace);
        throw first;
      }
      if (done === warmup) warmMemory = sharedMemory();
      if (done > warmup && sharedMemory() > before) {
        const leak = await leaks(story);
        if (leak.problem) {
          target = "memory-growth";
          throw (first = new RunFailed(leak.problem, leak.trace));
        }
      }
      return;
    }
    // Shrinking: every candidate on a fresh VM, failing the same check.
    const r = target === "memory-growth" ? await leaks(story) : await play(await newHost(), story);
    if (r.problem?.check === target) throw new RunFailed(r.problem, r.trace);
  });

  const details = await fc.check(property, { seed, numRuns: runs });
  const report: FuzzReport = {
    ok: !details.failed,
    type,
    seed,
    runs: done,
    memory: { warm: warmMemory, end: sharedMemory(), replayed },
    failure: null,
  };
  if (!details.failed) return report;
  const error = details.errorInstance;
  if (!(error instanceof RunFailed)) {
    // Not a check that failed: the fuzzer or the emulator broke. Say so with the run.
    const e = new Error(
      `fuzz: a run threw instead of failing a check (seed ${seed}): ${error instanceof Error ? error.stack : String(error)}`,
    );
    (e as Error & { cause: unknown }).cause = error;
    throw e;
  }
  const story = details.counterexample![0];
  // The shrunk run, played once more on a fresh VM for its calls.
  const final =
    target === "memory-growth"
      ? { problem: error.problem, trace: error.trace }
      : await play(await newHost(), story);
  const reproduced = final.problem?.check === target;
  const problem = reproduced ? final.problem! : error.problem;
  const trace = reproduced ? final.trace : ((first as RunFailed | null)?.trace ?? error.trace);
  const load = writable({ ...hostOptions, ...vm, ...own });
  const otherLoads = others.map((p) => writable(p as Record<string, unknown>).kept);
  const testWasm =
    options.testWasm ??
    (typeof wasm === "string"
      ? JSON.stringify(wasm)
      : wasm instanceof URL
        ? `new URL(${JSON.stringify(wasm.href)})`
        : '"FILTER.wasm" /* the module fuzzed (given as bytes) */');
  const reproduce = {
    check: problem.check,
    message: problem.message,
    seed,
    wasm: testWasm,
    importFrom: options.importFrom,
    load: load.kept,
    otherPlugins: otherLoads,
    droppedFunctions: load.dropped,
    type,
    allowErrors,
    memoryRounds: problem.check === "memory-growth" ? LONG_ROUNDS : undefined,
    needsHistory: !reproduced,
  };
  report.failure = {
    check: problem.check,
    message: problem.message,
    events: statements(trace, type),
    trace,
    story,
    reproduced,
    shrinks: details.numShrinks,
    path: details.counterexamplePath,
    test: reproduceTest(trace, reproduce),
  };
  return report;
}
