import { readFileSync } from "node:fs";
import { Host } from "../src/host/index.js";
import { WORKLOADS } from "./lib/workloads.ts";
const v = process.argv[2];
const w = WORKLOADS[0];
const host = await Host.load(readFileSync(`bench/build/ours-${v}/add_header.wasm`), w.load);
for (let i = 0; i < 400000; i++) {
  w.request(host);
  if (i % 1000 === 0) host.callTrace.length = 0;
}
