// `npm run bench`: builds every contender, measures them side by side on the host emulator
// (and the dev proxy against a plain Node proxy), and writes bench/RESULTS.md.
// BENCH_QUICK=1 scales every count down (a smoke run, not for publishing).
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import {
  BENCH,
  FOREIGN,
  OUT,
  ROOT,
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
import { findDevProxy, measureProxy, type ProxyResult } from "./lib/proxy.js";
import { writeReport, type Contender, type Results } from "./lib/report.js";
import { sizeReport } from "./lib/size.js";
import { WORKLOADS, type Workload } from "./lib/workloads.js";

const QUICK = process.env.BENCH_QUICK === "1";
const SCALE = QUICK ? 0.05 : 1;
const ROUNDS = QUICK ? 3 : 21;
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
  ...OUR_VARIANTS.map((v) => ({ id: v.id, label: v.label, kind: "ours" as const })),
  {
    id: "lean",
    label: "proxy-wasm-as (batched, exporting only the 7 callbacks it uses)",
    kind: "lean",
  },
  { id: "limit", label: "hand-written WAT (the limit)", kind: "limit" },
  { id: "gcore", label: "@gcoredev/proxy-wasm-sdk-as 1.2.3 (AS 0.28)", kind: "foreign" },
  { id: "solo", label: "@solo-io/proxy-runtime 0.1.8 (AS 0.14.13)", kind: "foreign" },
  { id: "floor", label: "host floor (module with no callbacks)", kind: "floor" },
];

const results: Results = {
  date: new Date(),
  quick: QUICK,
  contenders,
  workloads: WORKLOADS,
  wasm: new Map(),
  notes: [],
  time: new Map(),
  memory: new Map(),
  startup: new Map(),
  calls: new Map(),
  proxy: null,
  sizes: null,
  counts: { rounds: ROUNDS, warmupRounds: WARMUP_ROUNDS, startupReps: STARTUP_REPS },
  load: [loadavg()[0]],
  seconds: 0,
};
const key = (c: string, w: string) => `${c}/${w}`;

async function buildForeignAll(): Promise<void> {
  await Promise.all(FOREIGN.map((sdk) => buildForeignSdk(sdk)));
}

async function buildForeignSdk(sdk: (typeof FOREIGN)[number]): Promise<void> {
  const sources = join(BENCH, "contenders", sdk.name);
  let dir: string;
  try {
    progress(`npm install ${sdk.packages.join(" ")} (temporary folder)`);
    dir = await installForeign(sdk);
  } catch (e) {
    results.notes.push(`${sdk.name}: not installed: ${(e as Error).message.split("\n")[0]}`);
    return;
  }
  for (const w of WORKLOADS) {
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
  rmSync(dir, { recursive: true, force: true });
}

async function buildOursAll(): Promise<void> {
  for (const v of OUR_VARIANTS) {
    for (const w of WORKLOADS) {
      const entry = join(BENCH, "filters", `${w.name}.ts`);
      const out = join(OUT, `ours-${v.id}`, `${w.name}.wasm`);
      try {
        const bytes = await buildOurs(entry, out, { runtime: v.runtime, stackSize: v.stackSize });
        results.wasm.set(key(v.id, w.name), bytes);
      } catch (e) {
        results.notes.push(`${v.id} ${w.name}: does not build: ${(e as Error).message}`);
      }
    }
    if (v.id === "batched") {
      // add_header without `export *`: what dropping unused callback exports would give.
      const out = join(OUT, "ours-lean", "add_header.wasm");
      try {
        const bytes = await buildOurs(join(BENCH, "filters", "add_header_lean.ts"), out, {});
        results.wasm.set(key("lean", "add_header"), bytes);
      } catch (e) {
        results.notes.push(`lean add_header: does not build: ${(e as Error).message}`);
      }
    }
    progress(`built proxy-wasm-as (${v.id}) (${elapsed()})`);
  }
  const addHeader = join(OUT, "ours-batched", "add_header.wasm");
  if (results.wasm.has(key("batched", "add_header")))
    results.sizes = sizeReport(
      results.wasm.get(key("batched", "add_header"))!,
      readFileSync(addHeader.replace(/\.wasm$/, ".wat"), "utf8"),
    );
  const shipped = join(ROOT, "build", "optimized.wasm");
  if (existsSync(shipped)) results.shippedSize = readFileSync(shipped).length;
}

async function buildLimits(): Promise<void> {
  for (const w of [...WORKLOADS.map((w) => w.name), "noop"]) {
    const file = join(BENCH, "limit", `${w}.wat`);
    if (!existsSync(file)) continue;
    const bytes = await buildWat(file, join(OUT, "limit", `${w}.wasm`));
    if (w === "noop") for (const wl of WORKLOADS) results.wasm.set(key("floor", wl.name), bytes);
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

for (const w of WORKLOADS) {
  progress(`timing ${w.name} (${elapsed()})`);
  const subjects = new Map<Subject, Contender>();
  for (const c of contenders) {
    const s = subject(c, w);
    if (s) subjects.set(s, c);
  }
  const timed = await timeSubjects([...subjects.keys()], ROUNDS, SCALE, WARMUP_ROUNDS);
  for (const [s, r] of timed) results.time.set(key(subjects.get(s)!.id, w.name), r);
}

for (const w of WORKLOADS) {
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

progress(`boundary crossings per request (${elapsed()})`);
for (const w of WORKLOADS) {
  for (const c of contenders) {
    const s = subject(c, w);
    if (s && c.kind !== "floor") results.calls.set(key(c.id, w.name), await callCounts(s));
  }
}

progress(`start-up times (${elapsed()})`);
for (const w of WORKLOADS) {
  for (const c of contenders) {
    const s = subject(c, w);
    if (!s || c.kind === "floor") continue;
    results.startup.set(key(c.id, w.name), await startupTime(s, STARTUP_REPS));
  }
}

progress(`dev proxy (${elapsed()})`);
const start = await findDevProxy();
if (typeof start === "string") results.proxy = start;
else
  results.proxy = await measureProxy(start, {
    wasmPath: join(OUT, "ours-batched", "add_header.wasm"),
    rootId: "add_header",
    pluginConfig: WORKLOADS[0].load.pluginConfig as string,
    durationMs: QUICK ? 1000 : 4000,
    connections: 16,
    maxRequests: 1_000_000,
    repeats: QUICK ? 1 : 3,
  });

results.seconds = (Date.now() - t0) / 1000;
results.load.push(loadavg()[0]);
const file = join(BENCH, "RESULTS.md");
let report = writeReport(results);
try {
  // Written as `npm run fmt` would leave it, so a prettier check stays clean after a bench run.
  const prettier = await import("prettier");
  report = await prettier.format(report, {
    ...((await prettier.resolveConfig(file)) ?? {}),
    filepath: file,
  });
} catch {
  // unformatted is still correct
}
writeFileSync(file, report);
progress(`wrote ${file} (${elapsed()})`);

export type { MemoryResult, ProxyResult, TimeResult };
