// Keeping many live objects (hardening issue, "quadratic growth"): one request builds N short
// strings and keeps them all in an array (tests/filters/runtime.ts, `x-op: keep`), in a filter
// built with the SDK's runtime. Before the fix the allocator swept the whole heap every time its
// bump region ran out and then grew memory a page at a time, so N objects cost O(N²); now
// memory grows by half again and the heap is swept only once an eighth of it was freed, so
// 200k strings cost about twice what 100k cost.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Host } from "../../src/host/index.js";
import { ROOT, progress } from "../lib/build.js";

const COUNTS = [100_000, 200_000];
const ROUNDS = 7;

function filter(): string {
  const wasm = join(ROOT, "tests/filters/build/runtime.wasm");
  // Incremental: compiles only when the filter, the SDK or the compiler changed.
  execFileSync(process.execPath, ["scripts/build-examples.mjs", "test:runtime"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (!existsSync(wasm)) throw new Error(`${wasm} was not built`);
  return wasm;
}

/** Milliseconds one request takes to build and keep `count` strings, in a fresh VM. */
async function once(wasm: string, count: number): Promise<{ ms: number; line: string }> {
  const host = await Host.load(wasm, { rootId: "runtime", logLevel: "info" });
  const http = host.newHttpContext();
  const from = host.logs().length;
  const start = process.hrtime.bigint();
  http.requestHeaders({ ":path": "/", "x-op": "keep", "x-count": String(count) });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const line = host.logs().slice(from).join(" ");
  if (host.vm.failed || !/check=0/.test(line)) throw new Error(`keep ${count}: ${line}`);
  http.complete();
  return { ms, line };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** What keeping 100k and 200k live strings costs: the figures and the filter's own log lines. */
export interface AllocResult {
  counts: number[];
  /** Median ms of one request per count. */
  ms: number[];
  /** The log line of the median run per count (sweeps, pages grown, check). */
  lines: string[];
  /** ms of the largest count ÷ ms of the smallest: about 2 when the cost is linear. */
  ratio: number;
  rounds: number;
}

/**
 * Builds the filter (incrementally) and times each count in fresh VMs. The counts take turns
 * (a different one first each round), and the ratio is the median of the rounds' ratios, so a
 * change in the machine's load hits both counts alike.
 */
export async function measureAllocRatio(): Promise<AllocResult> {
  progress("alloc: building tests/filters/runtime.ts");
  const wasm = filter();
  for (const count of COUNTS) await once(wasm, count); // warm-up: V8 compiles the functions
  progress(`alloc: ${COUNTS.join(" and ")} live strings × ${ROUNDS} rounds, in turn`);
  const runs: { ms: number; line: string }[][] = COUNTS.map(() => []);
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    const round: number[] = [];
    for (const i of order) {
      const run = await once(wasm, COUNTS[i]);
      runs[i].push(run);
      round[i] = run.ms;
    }
    ratios.push(round[1] / round[0]);
  }
  const ms = runs.map((list) => median(list.map((x) => x.ms)));
  const lines = runs.map((list, i) => list.find((x) => x.ms === ms[i])?.line ?? list[0].line);
  return { counts: COUNTS, ms, lines, ratio: median(ratios), rounds: ROUNDS };
}

export async function measureAlloc(): Promise<{
  title: string;
  rows: [string, string][];
  notes: string[];
}> {
  const a = await measureAllocRatio();
  const rows: [string, string][] = a.counts.map((count, i) => [
    `${count / 1000}k live strings`,
    `${a.ms[i].toFixed(1)} ms (${((a.ms[i] * 1e6) / count).toFixed(0)} ns each; ${a.lines[i]})`,
  ]);
  rows.push(["200k / 100k", a.ratio.toFixed(2)]);
  return {
    title: "Keeping many live objects (SDK runtime)",
    rows,
    notes: [
      `One request builds N strings ("s0", "s1", …) and keeps them in an array; ${a.rounds} rounds, each count in a fresh VM, the counts in turn; the ratio is the median of the rounds' ratios.`,
      "sweeps = heap sweeps during the request, grown = pages memory grew by; linear cost means a ratio near 2.",
    ],
  };
}
