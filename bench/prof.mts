import { readFileSync } from "node:fs";
import { WORKLOADS } from "./lib/workloads.ts";
import { timeSubjects, roundRatio, median, type Subject } from "./lib/measure.ts";
const which = process.argv[2] ?? "add_header";
const w = WORKLOADS.find((x) => x.name === which)!;
const subjects: Subject[] = [];
for (const [label, path] of [
  ["minimal", `bench/build/ours-minimal/${which}.wasm`],
  ["incremental", `bench/build/ours-incremental/${which}.wasm`],
  ["batched", `bench/build/ours-batched/${which}.wasm`],
  ["limit", `bench/build/limit/${which}.wasm`],
  ["floor", `bench/build/limit/noop.wasm`],
  ["gcore", `bench/build/gcore/${which}.wasm`],
])
  try {
    subjects.push({
      label,
      bytes: new Uint8Array(readFileSync(path)),
      workload: w,
      skipCheck: label === "floor",
    });
  } catch {}
const res = await timeSubjects(
  subjects,
  Number(process.argv[3] ?? 5),
  Number(process.argv[4] ?? 1),
);
const lim = [...res].find(([s]) => s.label === "limit")?.[1];
for (const [s, r] of res)
  if (typeof r !== "string")
    console.log(
      s.label.padEnd(12),
      "median",
      Math.round(r.ns),
      "best",
      Math.round(r.best),
      "wall",
      Math.round(r.wall),
      "xlimit",
      lim && typeof lim !== "string" ? roundRatio(r, lim).toFixed(2) : "",
    );
