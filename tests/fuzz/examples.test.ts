// Every example, fuzzed: 500 runs of generated Envoy traffic each, with a fixed seed (the same
// runs every time), settings from examples.json. `npm run fuzz` does 100,000 runs per example.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fuzz, formatFuzzReport, type FuzzOptions } from "../../src/host/index.js";
import { repoRoot } from "./helpers.js";

const RUNS = 500;
const SEED = 20261207;
const table = JSON.parse(readFileSync(new URL("examples.json", import.meta.url), "utf8")) as Record<
  string,
  FuzzOptions
>;

test("examples.json has settings for every example", () => {
  const examples = readdirSync(join(repoRoot, "examples")).filter((n) =>
    existsSync(join(repoRoot, "examples", n, "assembly", "index.ts")),
  );
  assert.deepEqual(Object.keys(table).sort(), examples.sort());
});

for (const [name, options] of Object.entries(table)) {
  test(`fuzz ${name}: ${RUNS} runs pass every check`, async () => {
    const wasm = join(repoRoot, "examples", name, "build", "optimized.wasm");
    const report = await fuzz(wasm, { ...options, runs: RUNS, seed: SEED });
    assert.equal(report.runs, RUNS, formatFuzzReport(report, name));
    assert.ok(report.ok, formatFuzzReport(report, name));
  });
}
