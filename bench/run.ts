// `npm run bench`: builds every contender, measures them side by side on the host emulator
// (and the dev proxy against a plain Node proxy, and the cost of many live objects), and writes
// bench/RESULTS.md and the README's Performance summary (between its bench markers).
// `npm run bench -- --only add_header` runs one part for iterating (bench/lib/options.ts);
// BENCH_QUICK=1 scales every count down (a smoke run). Neither writes RESULTS.md or the README.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { basename, join } from "node:path";
import {
  BENCH,
  FOREIGN,
  OUT,
  ROOT,
  ascPool,
  buildForeign,
  buildOurs,
  buildWat,
  installForeign,
  progress,
} from "./lib/build.js";
import {
  callCounts,
  memoryRun,
  startupTime,
  timeSubjects,
  type MemoryResult,
  type Subject,
  type TimeResult,
} from "./lib/measure.js";
import { USAGE, parseOptions, type BenchOptions } from "./lib/options.js";
import { findDevProxy, measureProxy, type ProxyResult } from "./lib/proxy.js";
import { writeReadmeSummary } from "./lib/readme.js";
import { readmeSummary, writeReport, type Contender, type Results } from "./lib/report.js";
import { sizeReport } from "./lib/size.js";
import { evaluateTargets, targetLines } from "./lib/targets.js";
import { WORKLOADS, type Workload } from "./lib/workloads.js";

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
let options: BenchOptions;
try {
  options = parseOptions(argv);
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(2);
}
const QUICK = options.quick;
const PARTIAL = QUICK || options.only !== null || options.variants !== null;
const wanted = (part: string) => options.only === null || options.only.has(part);
const wantsVariant = (id: string) => options.variants === null || options.variants.has(id);
const workloads = WORKLOADS.filter((w) => wanted(w.name));
const SCALE = QUICK ? 0.05 : 1;
const ROUNDS = QUICK ? 3 : 41;
const WARMUP_ROUNDS = QUICK ? 1 : 3;
const STARTUP_REPS = QUICK ? 3 : 15;
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

// ---- contenders --------------------------------------------------------------------------

/** Every way our SDK is built: the runtime strategies compared ("batched" is the SDK as shipped). */
const OUR_VARIANTS: {
  id: string;
  label: string;
  runtime?: string;
  stackSize?: number;
}[] = [
  {
    id: "batched",
    label: "proxy-wasm-as (its own runtime, batched collection: the default)",
  },
  {
    id: "minimal",
    label: "proxy-wasm-as (AssemblyScript's minimal runtime, batched collection)",
    runtime: "minimal",
  },
  {
    id: "incremental",
    label: "proxy-wasm-as (AssemblyScript's incremental runtime)",
    runtime: "incremental",
    // The incremental collector runs inside allocations, so it needs the shadow stack that the
    // SDK's configuration turns off ("stackSize": -1).
    stackSize: 32768,
  },
];

const contenders: Contender[] = [
  ...OUR_VARIANTS.filter((v) => wantsVariant(v.id)).map((v) => ({
    id: v.id,
    label: v.label,
    kind: "ours" as const,
  })),
  { id: "limit", label: "hand-written WAT (the limit)", kind: "limit" },
  { id: "gcore", label: "@gcoredev/proxy-wasm-sdk-as 1.2.3 (AS 0.28)", kind: "foreign" },
  { id: "solo", label: "@solo-io/proxy-runtime 0.1.8 (AS 0.14.13)", kind: "foreign" },
  { id: "floor", label: "host floor (module with no callbacks)", kind: "floor" },
];

const results: Results = {
  date: new Date(),
  quick: QUICK,
  contenders,
  workloads,
  wasm: new Map(),
  notes: [],
  time: new Map(),
  memory: new Map(),
  startup: new Map(),
  calls: new Map(),
  proxy: null,
  alloc: null,
  sizes: null,
  counts: { rounds: ROUNDS, warmupRounds: WARMUP_ROUNDS, startupReps: STARTUP_REPS },
  load: [loadavg()[0]],
  seconds: 0,
  only:
    options.only || options.variants
      ? [...(options.only ?? []), ...[...(options.variants ?? [])].map((v) => `variant ${v}`)]
      : null,
};
const key = (c: string, w: string) => `${c}/${w}`;

const ADD_HEADER = WORKLOADS.find((w) => w.name === "add_header")!;

async function buildForeignAll(): Promise<void> {
  if (workloads.length === 0) return;
  await Promise.all(FOREIGN.map((sdk) => buildForeignSdk(sdk)));
}

async function buildForeignSdk(sdk: (typeof FOREIGN)[number]): Promise<void> {
  const sources = join(BENCH, "contenders", sdk.name);
  let dir: string;
  try {
    progress(`npm install ${sdk.packages.join(" ")} (bench/build/foreign, once)`);
    dir = await installForeign(sdk);
  } catch (e) {
    results.notes.push(`${sdk.name}: not installed: ${(e as Error).message.split("\n")[0]}`);
    return;
  }
  for (const w of workloads) {
    const src = join(sources, `${w.name}.ts`);
    if (!existsSync(src)) continue;
    try {
      const bytes = await buildForeign(sdk, dir, src, join(OUT, sdk.name, `${w.name}.wasm`));
      results.wasm.set(key(sdk.name, w.name), bytes);
      progress(`built ${sdk.name} ${w.name}: ${bytes.length} bytes (${elapsed()})`);
    } catch (e) {
      results.notes.push(`${sdk.name} ${w.name}: does not build: ${(e as Error).message}`);
    }
  }
}

async function buildOne(id: string, entry: string, out: string, o: object): Promise<void> {
  try {
    results.wasm.set(key(id, basename(out, ".wasm")), await buildOurs(entry, out, o));
  } catch (e) {
    results.notes.push(`${id} ${basename(out, ".wasm")}: does not build: ${(e as Error).message}`);
  }
}

async function buildOursAll(): Promise<void> {
  const jobs: Promise<void>[] = [];
  // The dev proxy runs the shipped add_header even when no workload is timed.
  const batchedOnly = workloads.length === 0 && wanted("dev_proxy") ? [ADD_HEADER] : [];
  for (const v of OUR_VARIANTS) {
    if (!wantsVariant(v.id)) continue;
    const list = v.id === "batched" ? [...workloads, ...batchedOnly] : workloads;
    for (const w of list) {
      const entry = join(BENCH, "filters", `${w.name}.ts`);
      const out = join(OUT, `ours-${v.id}`, `${w.name}.wasm`);
      jobs.push(buildOne(v.id, entry, out, { runtime: v.runtime, stackSize: v.stackSize }));
    }
  }
  await Promise.all(jobs);
  await ascPool.close();
  progress(`built proxy-wasm-as (${elapsed()})`);
  const addHeader = join(OUT, "ours-batched", "add_header.wasm");
  if (results.wasm.has(key("batched", "add_header")) && wanted("add_header"))
    results.sizes = sizeReport(
      results.wasm.get(key("batched", "add_header"))!,
      readFileSync(addHeader.replace(/\.wasm$/, ".wat"), "utf8"),
    );
}

async function buildLimits(): Promise<void> {
  for (const w of [...workloads.map((w) => w.name), "noop"]) {
    const file = join(BENCH, "limit", `${w}.wat`);
    if (!existsSync(file)) continue;
    const bytes = await buildWat(file, join(OUT, "limit", `${w}.wasm`));
    if (w === "noop") for (const wl of workloads) results.wasm.set(key("floor", wl.name), bytes);
    else results.wasm.set(key("limit", w), bytes);
  }
}

function subject(c: Contender, w: Workload): Subject | null {
  const bytes = results.wasm.get(key(c.id, w.name));
  return bytes ? { label: c.label, bytes, workload: w, skipCheck: c.kind === "floor" } : null;
}

// ---- run ---------------------------------------------------------------------------------

const foreign = buildForeignAll(); // npm and the old compilers run while we build ours
await buildOursAll();
await buildLimits();
await foreign;

for (const w of workloads) {
  progress(`timing ${w.name} (${elapsed()})`);
  const subjects = new Map<Subject, Contender>();
  for (const c of contenders) {
    const s = subject(c, w);
    if (s) subjects.set(s, c);
  }
  const timed = await timeSubjects([...subjects.keys()], ROUNDS, SCALE, WARMUP_ROUNDS);
  for (const [s, r] of timed) results.time.set(key(subjects.get(s)!.id, w.name), r);
}

for (const w of workloads) {
  for (const c of contenders) {
    if (c.kind === "floor") continue;
    const s = subject(c, w);
    if (!s) continue;
    const t = results.time.get(key(c.id, w.name));
    if (typeof t === "string") continue; // did not run
    const n = Math.max(
      100,
      Math.round((c.kind === "foreign" ? w.foreignMemoryRequests : w.memoryRequests) * SCALE),
    );
    progress(`memory ${c.id} ${w.name}: ${n} requests (${elapsed()})`);
    results.memory.set(key(c.id, w.name), await memoryRun(s, n));
  }
}

if (workloads.length > 0) progress(`boundary crossings per request (${elapsed()})`);
for (const w of workloads) {
  for (const c of contenders) {
    const s = subject(c, w);
    if (s && c.kind !== "floor") results.calls.set(key(c.id, w.name), await callCounts(s));
  }
}

if (workloads.length > 0) progress(`start-up times (${elapsed()})`);
for (const w of workloads) {
  for (const c of contenders) {
    const s = subject(c, w);
    if (!s || c.kind === "floor") continue;
    results.startup.set(key(c.id, w.name), await startupTime(s, STARTUP_REPS));
  }
}

if (wanted("alloc")) {
  progress(`live objects (${elapsed()})`);
  try {
    const { measureAllocRatio } = await import("./hardening/alloc.js");
    results.alloc = await measureAllocRatio();
  } catch (e) {
    results.alloc = (e as Error).message.split("\n")[0];
  }
}

if (wanted("dev_proxy")) {
  progress(`dev proxy (${elapsed()})`);
  const start = await findDevProxy();
  const wasmPath = join(OUT, "ours-batched", "add_header.wasm");
  if (typeof start === "string") results.proxy = start;
  else if (!results.wasm.has(key("batched", "add_header")))
    results.proxy = "add_header (proxy-wasm-as, batched) was not built (see --variant)";
  else
    results.proxy = await measureProxy(start, {
      wasmPath,
      rootId: "add_header",
      pluginConfig: ADD_HEADER.load.pluginConfig as string,
      durationMs: QUICK ? 500 : 1500,
      connections: 16,
      maxRequests: 1_000_000,
      repeats: QUICK ? 2 : 6,
    });
}

results.seconds = (Date.now() - t0) / 1000;
results.load.push(loadavg()[0]);

async function formatted(text: string, file: string): Promise<string> {
  try {
    // Written as `npm run fmt` would leave it, so a prettier check stays clean after a bench run.
    const prettier = await import("prettier");
    return await prettier.format(text, {
      ...((await prettier.resolveConfig(file)) ?? {}),
      filepath: file,
    });
  } catch {
    return text; // unformatted is still correct
  }
}

// A full run publishes only when every part measured the SDK as shipped; otherwise (a build
// broken by work in progress, a failed proxy start) it reports what went wrong and keeps the
// published figures.
const missing = [
  ...workloads
    .filter((w) => typeof (results.time.get(key("batched", w.name)) ?? "not built") === "string")
    .map((w) => `${w.name}: ${results.time.get(key("batched", w.name)) ?? "did not build"}`),
  ...(wanted("dev_proxy") && typeof results.proxy === "string"
    ? [`dev proxy: ${results.proxy}`]
    : []),
  ...(wanted("alloc") && typeof results.alloc === "string" ? [`alloc: ${results.alloc}`] : []),
];
const publish = !PARTIAL && missing.length === 0;
const file = publish ? join(BENCH, "RESULTS.md") : join(OUT, "RESULTS.partial.md");
writeFileSync(file, await formatted(writeReport(results), file));
progress(`wrote ${file} (${elapsed()})`);
if (publish) {
  const readme = join(ROOT, "README.md");
  writeReadmeSummary(readme, await formatted(readmeSummary(results), readme));
  progress(`wrote the Performance summary of ${readme}`);
}
process.stdout.write(`\nTargets (${publish ? "bench/RESULTS.md" : file}):\n`);
process.stdout.write(`${targetLines(evaluateTargets(results))}\n`);
if (missing.length > 0) {
  process.stderr.write(
    `\nbench: not measured, so ${PARTIAL ? "the partial report lacks them" : "bench/RESULTS.md and the README were left as they were"}:\n${missing.map((m) => `  ${m}`).join("\n")}\n${results.notes.map((n) => `  note: ${n.split("\n")[0]}`).join("\n")}\n`,
  );
  process.exitCode = 1;
}

export type { MemoryResult, ProxyResult, TimeResult };
