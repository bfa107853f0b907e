// The measurements on the host emulator: per-request time (rounds interleaved across contenders,
// median), linear memory over many requests, and VM start + configure time.
import v8 from "node:v8";
import vm from "node:vm";
import type * as HostModule from "../../src/host/index.js";
import type { Host } from "../../src/host/index.js";
import { importCompiled } from "./compiled.js";
import type { Workload } from "./workloads.js";

let hostModule: Promise<typeof HostModule> | null = null;

/**
 * A full garbage collection of the bench process, run between the timed slots of a workload
 * that asks for it (`collectBetweenSlots`), so the garbage one contender's requests leave (1 MiB
 * of host buffers per body_rewrite request) is not collected in the next contender's slot. Not
 * for short slots: the collector's background threads finish its work during the next slot,
 * whose CPU time they add to. Null when V8 does not offer it.
 */
const collectGarbage: (() => void) | null = (() => {
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return null;
  }
})();

/** The emulator, compiled (bench/lib/compiled.ts); through the TypeScript loader if esbuild is
 * missing. */
export function emulator(): Promise<typeof HostModule> {
  hostModule ??= importCompiled<typeof HostModule>("src/host/index.ts", "host").catch(
    () => import("../../src/host/index.js"),
  );
  return hostModule;
}

/** One wasm module running one workload. */
export interface Subject {
  /** Row label, e.g. "proxy-wasm-as (minimal)". */
  label: string;
  bytes: Uint8Array;
  workload: Workload;
  /** The host floor does nothing the check could see. */
  skipCheck?: boolean;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The emulator keeps a trace of every call for debugging; a bench must not let it grow. */
function tidy(host: Host): void {
  host.callTrace.length = 0;
  host.logStore.entries.length = 0;
}

export function linearMemory(host: Host): number {
  return (host.vm.exports.memory as WebAssembly.Memory).buffer.byteLength;
}

export async function load(subject: Subject): Promise<Host> {
  return (await emulator()).Host.load(subject.bytes, subject.workload.load);
}

/** Runs `n` requests in batches, tidying the host between batches. */
export function runRequests(host: Host, workload: Workload, n: number): void {
  const batch = 1000;
  for (let done = 0; done < n;) {
    const k = Math.min(batch, n - done);
    for (let i = 0; i < k; i++) workload.request(host);
    done += k;
    tidy(host);
  }
}

export interface TimeResult {
  /** Median CPU ns per request over the rounds (this process's user + system time). */
  ns: number;
  /** Fastest round's ns per request (the least disturbed by other load on the machine). */
  best: number;
  /** Every round's ns per request. */
  rounds: number[];
  /** Median wall-clock ns per request (includes time other processes took the CPU). */
  wall: number;
}

/**
 * Times the subjects side by side: `warmupRounds` rounds first (V8 tiers up the host and the
 * modules), then `rounds` rounds; in each round every subject runs `workload.perRound` requests
 * in turn, starting with a different subject each round, so load from elsewhere on the machine
 * hits every subject alike. ns per request = round time / requests; the median round is
 * reported, and `ratios` gives the median over rounds of each subject's time ÷ the reference's
 * time in the same round.
 */
export async function timeSubjects(
  subjects: Subject[],
  rounds: number,
  scale = 1,
  warmupRounds = 3,
): Promise<Map<Subject, TimeResult | string>> {
  const hosts = new Map<Subject, Host>();
  const out = new Map<Subject, TimeResult | string>();
  for (const s of subjects) {
    try {
      const host = await load(s);
      const problem = s.skipCheck ? (s.workload.request(host), null) : s.workload.check(host);
      if (host.vm.failed) {
        out.set(s, `trapped: ${host.vm.failure?.split("\n")[0]}`);
        continue;
      }
      if (problem) {
        out.set(s, `wrong result: ${problem}`);
        continue;
      }
      hosts.set(s, host);
    } catch (e) {
      out.set(s, `does not load: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const live = [...hosts.keys()];
  const per = (s: Subject) => Math.max(1, Math.round(s.workload.perRound * scale));
  const samples = new Map<Subject, number[]>(live.map((s) => [s, []]));
  const wall = new Map<Subject, number[]>(live.map((s) => [s, []]));
  for (let r = 0; r < warmupRounds + rounds; r++) {
    for (let j = 0; j < live.length; j++) {
      const s = live[(r + j) % live.length];
      const host = hosts.get(s)!;
      const n = per(s);
      if (s.workload.collectBetweenSlots) collectGarbage?.();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) s.workload.request(host);
      const t1 = process.hrtime.bigint();
      const c1 = process.cpuUsage(c0);
      tidy(host);
      if (r >= warmupRounds) {
        samples.get(s)!.push(((c1.user + c1.system) * 1000) / n);
        wall.get(s)!.push(Number(t1 - t0) / n);
      }
    }
  }
  for (const s of live) {
    const host = hosts.get(s)!;
    const v = samples.get(s)!;
    if (host.vm.failed) out.set(s, `trapped: ${host.vm.failure?.split("\n")[0]}`);
    else out.set(s, { ns: median(v), best: Math.min(...v), rounds: v, wall: median(wall.get(s)!) });
  }
  return out;
}

/** Median over rounds of a.rounds[i] / b.rounds[i] (both timed in the same rounds). */
export function roundRatio(a: TimeResult, b: TimeResult): number {
  const n = Math.min(a.rounds.length, b.rounds.length);
  const r: number[] = [];
  for (let i = 0; i < n; i++) r.push(a.rounds[i] / b.rounds[i]);
  return median(r);
}

/**
 * Median over rounds of (a − floor) ÷ (b − floor), all three timed in the same rounds: how the
 * work two filters add to the host compares, without the emulator's own per-request cost.
 * Rounds where b is not above the floor (noise) are left out; null when none is left.
 */
export function roundRatioAboveFloor(
  a: TimeResult,
  b: TimeResult,
  floor: TimeResult,
): number | null {
  const n = Math.min(a.rounds.length, b.rounds.length, floor.rounds.length);
  const r: number[] = [];
  for (let i = 0; i < n; i++) {
    const below = b.rounds[i] - floor.rounds[i];
    if (below > 0) r.push((a.rounds[i] - floor.rounds[i]) / below);
  }
  return r.length > 0 ? median(r) : null;
}

/**
 * How noisy the rounds were: the median over subjects of (interquartile range ÷ median) of a
 * subject's per-round times (0.05 = the middle half of the rounds lies within 5% of the median).
 */
export function roundSpread(t: TimeResult): number {
  const s = [...t.rounds].sort((x, y) => x - y);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  return (q(0.75) - q(0.25)) / median(s);
}

export interface MemoryResult {
  requests: number;
  warmup: number;
  /** Linear memory right after start + configure. */
  start: number;
  /** After the warm-up requests. */
  afterWarmup: number;
  /** After all requests. */
  end: number;
  /** Largest size seen at any checkpoint. */
  peak: number;
  seconds: number;
}

/** Linear memory after start, after warm-up and after `requests` more requests. */
export async function memoryRun(
  subject: Subject,
  requests: number,
  warmup = Math.min(10_000, Math.max(100, Math.floor(requests / 100))),
): Promise<MemoryResult | string> {
  let host: Host;
  try {
    host = await load(subject);
  } catch (e) {
    return `does not load: ${(e as Error).message.split("\n")[0]}`;
  }
  const start = linearMemory(host);
  const t0 = process.hrtime.bigint();
  runRequests(host, subject.workload, warmup);
  const afterWarmup = linearMemory(host);
  let peak = afterWarmup;
  const step = Math.max(1000, Math.floor(requests / 20));
  for (let done = 0; done < requests;) {
    const k = Math.min(step, requests - done);
    runRequests(host, subject.workload, k);
    done += k;
    peak = Math.max(peak, linearMemory(host));
    if (host.vm.failed) return `trapped after ${done} requests: ${host.vm.failure?.split("\n")[0]}`;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { requests, warmup, start, afterWarmup, end: linearMemory(host), peak, seconds };
}

/** Median ms of `Host.load` (compile, link, _initialize, context create, vm start, configure). */
export async function startupTime(subject: Subject, reps: number): Promise<number | string> {
  const times: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      const t0 = process.hrtime.bigint();
      await load(subject);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } catch (e) {
    return `does not load: ${(e as Error).message.split("\n")[0]}`;
  }
  return median(times);
}

/** How often one request crosses the boundary: host → module calls and module → host calls. */
export interface CallCounts {
  /** proxy_on_* (and allocator) calls into the module. */
  intoModule: number;
  /** Hostcalls the module makes. */
  hostcalls: number;
}

/**
 * Counts the crossings of one request (after one warm-up request) by wrapping every import and
 * export of a separately loaded instance. Only for this count: the timed runs are unwrapped.
 */
export async function callCounts(subject: Subject): Promise<CallCounts | string> {
  const counter = { into: 0, out: 0 };
  const Original = WebAssembly.Instance;
  const Wrapped = function (module: WebAssembly.Module, imports?: WebAssembly.Imports) {
    const wrapped: WebAssembly.Imports = {};
    for (const [m, fns] of Object.entries(imports ?? {})) {
      wrapped[m] = {};
      for (const [name, f] of Object.entries(fns)) {
        wrapped[m][name] =
          typeof f === "function"
            ? (...a: unknown[]) => (counter.out++, (f as (...x: unknown[]) => unknown)(...a))
            : f;
      }
    }
    const instance = new Original(module, wrapped);
    const exports: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(instance.exports)) {
      exports[name] =
        typeof f === "function"
          ? (...a: unknown[]) => (counter.into++, (f as (...x: unknown[]) => unknown)(...a))
          : f;
    }
    return { exports } as WebAssembly.Instance;
  } as unknown as typeof WebAssembly.Instance;
  let host: Host;
  try {
    (WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = Wrapped;
    host = await load(subject);
  } catch (e) {
    return `does not load: ${(e as Error).message.split("\n")[0]}`;
  } finally {
    (WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = Original;
  }
  try {
    subject.workload.request(host);
    counter.into = 0;
    counter.out = 0;
    subject.workload.request(host);
  } catch (e) {
    return `failed: ${(e as Error).message.split("\n")[0]}`;
  }
  return { intoModule: counter.into, hostcalls: counter.out };
}
