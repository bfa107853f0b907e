import { readFileSync } from "node:fs";
import { Host } from "../src/host/index.js";
import { WORKLOADS } from "./lib/workloads.ts";
const which = process.argv[2] ?? "add_header";
const w = WORKLOADS.find((x) => x.name === which)!;
const counts: Record<string, number> = {};
const Orig = WebAssembly.Instance;
(WebAssembly as any).Instance = function (m: WebAssembly.Module, imports: any) {
  for (const mod of Object.keys(imports))
    for (const k of Object.keys(imports[mod])) {
      const f = imports[mod][k];
      if (typeof f === "function")
        imports[mod][k] = (...a: unknown[]) => {
          counts[k] = (counts[k] ?? 0) + 1;
          return f(...a);
        };
    }
  return new Orig(m, imports);
};
for (const p of [
  `bench/build/ours-minimal/${which}.wasm`,
  `bench/build/limit/${which}.wasm`,
  `bench/build/gcore/${which}.wasm`,
]) {
  const host = await Host.load(readFileSync(p), { ...w.load, traceCalls: true } as any);
  for (const k of Object.keys(counts)) delete counts[k];
  host.callTrace.length = 0;
  w.request(host);
  console.log(
    p,
    "\n  vm calls:",
    host.callTrace.join(" "),
    "\n  hostcalls:",
    JSON.stringify(counts),
  );
}
