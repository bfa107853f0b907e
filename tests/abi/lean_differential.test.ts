// The lean shape changes only which callbacks the host calls, never what a filter does: every
// example's own tests pass, with the same results on its lean build (examples/<name>/build) and
// on its everything-exported build (build/all-exports/examples/<name>/build, PROXY_WASM_AS_EXPORTS=all;
// scripts/build-examples.mjs builds both). The example's tests (and the files beside them: its
// README, envoy.yaml …) are copied beside the everything-exported build, where their
// `../build/optimized.wasm` is that build.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ALL_EXPORTS = join("build", "all-exports", "examples");
const REPORTER = fileURLToPath(new URL("./differential_reporter.mjs", import.meta.url));
/** Hung example tests must not hang this one. */
const RUN_TIMEOUT_MS = 300_000;
/** Only result lines are kept; the tests' own output is not bounded otherwise. */
const MAX_RESULT_LINES = 20_000;

interface Result {
  file: string;
  name: string;
  nesting: number;
  status: "ok" | "not ok" | "skip";
}

/**
 * Runs all the given test files in one runner (one process per file, as node --test does) and
 * resolves with each test's result, tagged with its file.
 */
function runTests(files: string[]): Promise<Result[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--test",
        `--test-reporter=${REPORTER}`,
        "--test-concurrency=2",
        ...files,
      ],
      // Without NODE_TEST_CONTEXT: set by the runner running this file, it would make the child
      // report to it in the runner's own protocol instead of through the reporter.
      {
        stdio: ["ignore", "pipe", "ignore"],
        env: { ...process.env, NODE_TEST_CONTEXT: undefined },
      },
    );
    const results: Result[] = [];
    let pending = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{") || results.length >= MAX_RESULT_LINES) continue;
        const r = JSON.parse(line) as Result;
        results.push({ ...r, file: relative(process.cwd(), resolve(r.file ?? "")) });
      }
    });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the examples' tests ran longer than ${RUN_TIMEOUT_MS / 1000} s`));
    }, RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolvePromise(results);
    });
  });
}

const examples = readdirSync("examples")
  .sort()
  .filter((name) => existsSync(join("examples", name, "test")));
const testFiles = (dir: string) =>
  readdirSync(dir)
    .sort()
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join(dir, f));

/** Every example's tests, on both builds, in one runner: results by test file. */
let byFile: Promise<Map<string, string[]>>;

before(() => {
  const files: string[] = [];
  for (const name of examples) {
    const exampleDir = join("examples", name);
    for (const entry of readdirSync(exampleDir)) {
      const from = join(exampleDir, entry);
      if (entry === "build" || entry === "assembly") continue;
      cpSync(from, join(ALL_EXPORTS, name, entry), { recursive: statSync(from).isDirectory() });
    }
    files.push(
      ...testFiles(join(exampleDir, "test")),
      ...testFiles(join(ALL_EXPORTS, name, "test")),
    );
  }
  byFile = runTests(files).then((results) => {
    const map = new Map<string, string[]>();
    for (const r of results) {
      const list = map.get(r.file) ?? [];
      list.push(`${"  ".repeat(r.nesting)}${r.status} - ${r.name}`);
      map.set(r.file, list);
    }
    return map;
  });
  // A failed run is reported by each test that awaits it.
  byFile.catch(() => {});
});

for (const name of examples) {
  test(`${name}: its tests pass, with the same results on the lean and the everything-exported build`, async () => {
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

    const results = await byFile;
    const testDir = join("examples", name, "test");
    for (const leanFile of testFiles(testDir)) {
      const allFile = join(ALL_EXPORTS, name, "test", leanFile.slice(testDir.length + 1));
      const leanResults = results.get(leanFile) ?? [];
      assert.ok(leanResults.length > 0, `no test results from ${leanFile}`);
      // This is where the examples' own tests run in `npm test` (scripts/node-tests.mjs).
      const failed = leanResults.filter((r) => r.trimStart().startsWith("not ok"));
      assert.deepEqual(
        failed,
        [],
        `${leanFile} failed; see why with: node scripts/node-tests.mjs ${leanFile}`,
      );
      assert.deepEqual(results.get(allFile) ?? [], leanResults, `${allFile} vs ${leanFile}`);
    }
  });
}
