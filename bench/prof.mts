import { readFileSync } from "node:fs";
import { WORKLOADS } from "./lib/workloads.ts";
import { timeSubjects, type Subject } from "./lib/measure.ts";
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
for (const [s, r] of res)
  console.log(
    s.label,
    typeof r === "string" ? r : r.rounds.map(Math.round).join(" "),
    typeof r === "string" ? "" : Math.round(r.ns),
  );
