// The performance targets the bench reports on (never asserted in `npm test`): each with its
// measured figure from this run and whether it is met. Ratios are medians over rounds of figures
// measured side by side in the same round (bench/lib/measure.ts).
import type { AllocResult } from "../hardening/alloc.js";
import { roundRatio, roundRatioAboveFloor, type TimeResult } from "./measure.js";
import type { Results } from "./report.js";

export interface TargetResult {
  /** What is wanted, e.g. "add_header ≤ 1.15× the limit". */
  goal: string;
  /** The figure of this run, or why there is none. */
  measured: string;
  /** Met, not met, or null when not measured in this run. */
  pass: boolean | null;
  /** The figure leaves out the emulator's own per-request cost (the host floor). */
  aboveFloor: boolean;
}

const x = (n: number) => `${n.toFixed(2)}×`;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function time(r: Results, contender: string, workload: string): TimeResult | null {
  const t = r.time.get(`${contender}/${workload}`);
  return t && typeof t !== "string" ? t : null;
}

function ratio(r: Results, a: string, b: string, w: string): number | null {
  const ta = time(r, a, w);
  const tb = time(r, b, w);
  return ta && tb ? roundRatio(ta, tb) : null;
}

function ratioAboveFloor(r: Results, a: string, b: string, w: string): number | null {
  const ta = time(r, a, w);
  const tb = time(r, b, w);
  const tf = time(r, "floor", w);
  return ta && tb && tf ? roundRatioAboveFloor(ta, tb, tf) : null;
}

function target(
  goal: string,
  value: number | null,
  ok: (v: number) => boolean,
  show: (v: number) => string,
  aboveFloor = false,
): TargetResult {
  return value === null
    ? { goal, measured: "not measured", pass: null, aboveFloor }
    : { goal, measured: show(value), pass: ok(value), aboveFloor };
}

/** Every target with this run's figure (`ours` is the SDK as shipped: the batched variant). */
export function evaluateTargets(r: Results, ours = "batched"): TargetResult[] {
  const timed = (w: string) => r.workloads.some((wl) => wl.name === w);
  const bytes = timed("add_header") ? (r.wasm.get(`${ours}/add_header`)?.length ?? null) : null;
  const proxy = r.proxy && typeof r.proxy !== "string" ? r.proxy : null;
  const grown: string[] = [];
  let measuredMemory = 0;
  for (const w of r.workloads) {
    const m = r.memory.get(`${ours}/${w.name}`);
    if (!m || typeof m === "string") continue;
    measuredMemory++;
    if (m.end > m.afterWarmup) grown.push(w.name);
  }
  const alloc: AllocResult | null = r.alloc && typeof r.alloc !== "string" ? r.alloc : null;
  return [
    target(
      "add_header ≤ 5,120 bytes",
      bytes,
      (v) => v <= 5120,
      (v) => `${fmt(v)} bytes`,
    ),
    target(
      "add_header ≤ 1.15× the limit",
      ratio(r, ours, "limit", "add_header"),
      (v) => v <= 1.15,
      x,
    ),
    target(
      "add_header ≤ 2.0× the limit above the host floor",
      ratioAboveFloor(r, ours, "limit", "add_header"),
      (v) => v <= 2.0,
      x,
      true,
    ),
    target(
      "header_heavy ≥ 3× faster than G-Core above the host floor",
      ratioAboveFloor(r, "gcore", ours, "header_heavy"),
      (v) => v >= 3,
      x,
      true,
    ),
    target(
      "json_config ≥ 3.5× faster than G-Core",
      ratio(r, "gcore", ours, "json_config"),
      (v) => v >= 3.5,
      x,
    ),
    target(
      "http_callout ≥ 4× faster than G-Core",
      ratio(r, "gcore", ours, "http_callout"),
      (v) => v >= 4,
      x,
    ),
    target(
      "body_rewrite ≤ 1.25× the limit",
      ratio(r, ours, "limit", "body_rewrite"),
      (v) => v <= 1.25,
      x,
    ),
    target(
      "dev proxy ≥ 0.7× the throughput of a plain node:http proxy",
      proxy ? proxy.ratio : null,
      (v) => v >= 0.7,
      x,
    ),
    measuredMemory === 0
      ? {
          goal: "no linear-memory growth after warm-up on any workload",
          measured: "not measured",
          pass: null,
          aboveFloor: false,
        }
      : {
          goal: "no linear-memory growth after warm-up on any workload",
          measured:
            grown.length === 0
              ? `none on ${measuredMemory} workload${measuredMemory > 1 ? "s" : ""}`
              : `grew on ${grown.join(", ")}`,
          pass: grown.length === 0,
          aboveFloor: false,
        },
    target(
      "keeping 200k live strings costs about 2× keeping 100k (≤ 2.5×: linear)",
      alloc ? alloc.ratio : null,
      (v) => v <= 2.5,
      (v) =>
        `${x(v)} (${alloc!.ms.map((ms, i) => `${alloc!.counts[i] / 1000}k: ${ms.toFixed(1)} ms`).join(", ")})`,
    ),
  ];
}

/** The targets as a markdown table. */
export function targetTable(targets: TargetResult[]): string {
  const rows = [
    "| target | measured | met |",
    "| --- | ---: | --- |",
    ...targets.map(
      (t) =>
        `| ${t.goal} | ${t.measured}${t.aboveFloor ? " †" : ""} | ${t.pass === null ? "–" : t.pass ? "yes" : "**no**"} |`,
    ),
  ];
  return rows.join("\n");
}

/** The targets as plain lines for the terminal. */
export function targetLines(targets: TargetResult[]): string {
  return targets
    .map(
      (t) =>
        `${t.pass === null ? "  -  " : t.pass ? " PASS" : " FAIL"}  ${t.goal}: ${t.measured}${t.aboveFloor ? " (above the host floor)" : ""}`,
    )
    .join("\n");
}
