// Throws random but valid Envoy traffic at the filter (proxy-wasm-as/host's fuzz): headers with
// odd names and bytes, bodies in random chunks, trailers, resets, callout replies, ticks. After
// each run: no trap, no error log, every stream ended, valid headers, no memory growth. When a run
// fails, the message has the shrunk run and a node:test case that reproduces it: paste that into
// test/ (it fails), fix the filter (it passes), and keep it as a regression test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatFuzzReport, fuzz } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const rootId = "__ROOT_ID__";

test("500 runs of generated Envoy traffic pass every check", async () => {
  const report = await fuzz(wasm, {
    rootId,
    pluginConfig: { header: "x-greeting", value: "bonjour" },
    runs: 500,
    seed: 1, // the same runs every time; change it (or leave it out) to explore further
    testWasm: 'new URL("../build/optimized.wasm", import.meta.url)', // as the printed test loads it
  });
  assert.ok(report.ok, formatFuzzReport(report, rootId));
});
