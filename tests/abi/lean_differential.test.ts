// The lean shape changes only which callbacks the host calls, never what a filter does: every
// example's own tests give the same results on its lean build (examples/<name>/build) and on its
// everything-exported build (build/all-exports/examples/<name>/build, PROXY_WASM_AS_EXPORTS=all;
// scripts/build-examples.mjs builds both). The example's tests (and the files beside them: its
// README, envoy.yaml …) are copied beside the everything-exported build, where their
// `../build/optimized.wasm` is that build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const ALL_EXPORTS = join("build", "all-exports", "examples");
/** A hung example test must not hang this one. */
const RUN_TIMEOUT_MS = 300_000;
/** Only result lines are kept; a test's own output is not bounded otherwise. */
const MAX_RESULT_LINES = 10_000;

interface Run {
  code: number | null;
  /** `ok - name` / `not ok - name` per test, in order, with the TAP directive (# SKIP …). */
  results: string[];
}

/** Runs test files with node's runner and TAP output; resolves with each test's result. */
function runTests(files: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", "--test-reporter=tap", "--test-concurrency=1", ...files],
      // Without NODE_TEST_CONTEXT: set by the runner running this file, it would make the child
      // report to it in the runner's own protocol instead of printing TAP.
      {
        stdio: ["ignore", "pipe", "ignore"],
        env: { ...process.env, NODE_TEST_CONTEXT: undefined },
      },
    );
    const results: string[] = [];
    let pending = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const m = /^(\s*)(not ok|ok) \d+ - (.*)$/.exec(line);
        if (m && results.length < MAX_RESULT_LINES) results.push(`${m[1]}${m[2]} - ${m[3]}`);
      }
    });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${files.join(" ")} ran longer than ${RUN_TIMEOUT_MS / 1000} s`));
    }, RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, results });
    });
  });
}

const examples = readdirSync("examples")
  .sort()
  .filter((name) => existsSync(join("examples", name, "test")));

for (const name of examples) {
  test(`${name}: its tests give the same results on the lean and the everything-exported build`, async () => {
    const lean = join("examples", name, "build", "optimized.wasm");
    const all = join(ALL_EXPORTS, name, "build", "optimized.wasm");
    for (const file of [lean, all]) {
      assert.ok(
        existsSync(file),
        `${file} is missing: run node scripts/build-examples.mjs examples`,
      );
    }
    const exportsOf = (file: string) =>
      WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(file))).map((e) => e.name);
    const leanExports = exportsOf(lean);
    const allExports = exportsOf(all);
    assert.ok(
      allExports.length > leanExports.length && leanExports.every((e) => allExports.includes(e)),
      `${lean} exports a subset of ${all}`,
    );

    const exampleDir = join("examples", name);
    for (const entry of readdirSync(exampleDir)) {
      const from = join(exampleDir, entry);
      if (entry === "build" || entry === "assembly") continue;
      cpSync(from, join(ALL_EXPORTS, name, entry), { recursive: statSync(from).isDirectory() });
    }
    const testDir = join(exampleDir, "test");
    const copyDir = join(ALL_EXPORTS, name, "test");
    const tests = readdirSync(testDir)
      .sort()
      .filter((f) => f.endsWith(".test.ts"));
    const [leanRun, allRun] = await Promise.all([
      runTests(tests.map((f) => join(testDir, f))),
      runTests(tests.map((f) => join(copyDir, f))),
    ]);
    assert.ok(leanRun.results.length > 0, `no test results from ${testDir}`);
    assert.deepEqual(allRun.results, leanRun.results);
    assert.equal(allRun.code, leanRun.code);
  });
}
