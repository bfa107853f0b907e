// The fuzzer itself: it finds a planted bug that needs a multi-chunk body and a non-ASCII header
// within its default number of runs, each of its checks catches the bug made for it, and the test
// it prints fails the same way when run with node --test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fuzz, type FuzzFailure } from "../../src/host/index.js";
import { reproduceTest } from "../../src/host/fuzz/reproduce.js";
import type { TraceStep } from "../../src/host/fuzz/trace.js";
import { printOptions, repoRoot, runPrintedTest, testFilter } from "./helpers.js";

const planted = testFilter("fuzz_planted");
const checks = testFilter("fuzz_checks");

/** Whether a header value (the emulator's string) holds a byte outside ASCII. */
const nonAscii = (value: string) => [...value].some((c) => c.charCodeAt(0) > 0x7f);

function requestSteps(trace: TraceStep[]) {
  const headers = trace.flatMap((s) => (s.call === "requestHeaders" ? s.headers : []));
  const chunks = trace.filter((s) => s.call === "requestBody" && s.chunk.length > 0);
  return { headers, chunks };
}

test("the planted bug (non-ASCII header + multi-chunk body) is caught within the default runs and shrunk", async () => {
  for (const seed of [1, 20261207]) {
    const report = await fuzz(planted, { rootId: "fuzz_planted", seed, ...printOptions(planted) });
    assert.equal(report.ok, false, `seed ${seed}: the planted bug was not found`);
    assert.ok(report.runs <= 1000, `seed ${seed}: found in run ${report.runs}`);
    const f = report.failure!;
    assert.equal(f.check, "trap");
    assert.match(f.message, /trapped in proxy_on_request_body/);
    assert.ok(f.reproduced, "it failed again on a fresh VM");
    const { headers, chunks } = requestSteps(f.trace);
    assert.ok(
      headers.some(([, v]) => nonAscii(v)),
      "the shrunk run has a non-ASCII header",
    );
    assert.ok(chunks.length >= 2, "the shrunk run has two non-empty body chunks");
    // Shrunk: one stream, nothing but what the bug needs.
    assert.equal(f.trace.filter((s) => s.call === "newHttpContext").length, 1);
    assert.ok(f.trace.length <= 6, `${f.trace.length} calls:\n${f.events.join("\n")}`);
  }
});

test("the printed test reproduces the planted bug, and passes once the header is ASCII", async () => {
  const report = await fuzz(planted, { rootId: "fuzz_planted", seed: 1, ...printOptions(planted) });
  const f = report.failure!;
  // The same calls with every header value made ASCII: the bug is not triggered.
  const ascii = f.trace.map((s) =>
    s.call === "requestHeaders"
      ? { ...s, headers: s.headers.map(([k, v]) => [k, nonAscii(v) ? "x" : v] as [string, string]) }
      : s,
  );
  const control = reproduceTest(ascii, {
    check: "trap",
    message: "the same calls with ASCII headers",
    seed: 1,
    wasm: JSON.stringify(planted),
    importFrom: printOptions(planted).importFrom,
    load: { rootId: "fuzz_planted" },
    otherPlugins: [],
    droppedFunctions: [],
    type: "http",
    allowErrors: false,
  });
  // Both in one file (one node process): the printed test fails, the control passes.
  const body = (source: string) => source.split("\n").filter((l) => !l.startsWith("import "));
  const header = f.test.split("\n").filter((l) => l.startsWith("import "));
  const run = runPrintedTest([...header, ...body(f.test), ...body(control)].join("\n"));
  assert.notEqual(run.code, 0, run.output);
  assert.match(run.output, /trapped in proxy_on_request_body/);
  assert.match(run.output, /pass 1\b/, run.output);
  assert.match(run.output, /fail 1\b/, run.output);
  assert.match(run.output, /✔ fuzz \(seed 1\): the same calls with ASCII headers/, run.output);
});

test("the same seed gives the same runs and the same shrunk failure", async () => {
  const a = await fuzz(planted, { rootId: "fuzz_planted", seed: 99 });
  const b = await fuzz(planted, { rootId: "fuzz_planted", seed: 99 });
  assert.equal(a.runs, b.runs);
  assert.deepEqual(a.failure?.events, b.failure?.events);
  assert.equal(a.failure?.test, b.failure?.test);
});

/** The bug of fuzz_checks selected by `bug`, fuzzed. */
async function findBug(bug: string, options: Parameters<typeof fuzz>[1] = {}) {
  return fuzz(checks, {
    rootId: "fuzz_checks",
    pluginConfig: bug,
    seed: 5,
    runs: 300,
    ...printOptions(checks),
    ...options,
  });
}

test("each check catches its bug; the printed tests all fail, each for its reason", async () => {
  const expected: [string, FuzzFailure["check"], RegExp][] = [
    ["stuck", "stuck-stream", /stream 1: its request stays paused/],
    ["error", "error-log", /logged at error level: planted: a body/],
    ["header", "invalid-output", /response headers: header "x-planted" has a LF byte/],
    ["status", "invalid-output", /local reply: status 99 is not 200…599/],
    ["leak", "memory-growth", /linear memory grew from \d+ to \d+ bytes/],
  ];
  const tests: string[] = [];
  for (const [bug, check, message] of expected) {
    const report = await findBug(bug);
    assert.equal(report.failure?.check, check, `${bug}: ${report.failure?.message}`);
    assert.match(report.failure!.message, message);
    assert.ok(report.failure!.reproduced, `${bug}: reproduced on a fresh VM`);
    tests.push(report.failure!.test);
  }
  // One file for all of them (one node process): the imports once, then every test case.
  const imports = tests[0]
    .split("\n")
    .filter((l) => l.startsWith("import ") && !l.includes("Host"));
  const host = `import { Host, LogLevel } from ${JSON.stringify(printOptions(checks).importFrom)};`;
  const bodies = tests.map((t) =>
    t
      .split("\n")
      .filter((l) => !l.startsWith("import "))
      .join("\n"),
  );
  const run = runPrintedTest([...imports, host, ...bodies].join("\n"));
  assert.notEqual(run.code, 0, run.output);
  assert.match(run.output, new RegExp(`fail ${expected.length}\\b`), run.output);
  assert.match(run.output, /stream1 never ended/);
  assert.match(run.output, /planted: a body/);
  assert.match(run.output, /the value of x-planted/);
  assert.match(run.output, /local reply status 99/);
  assert.match(run.output, /linear memory grew while the same story was played/);
});

test("a well-behaved filter passes every check; allowed error lines are not failures", async () => {
  const clean = await findBug("none", { runs: 200 });
  assert.equal(clean.ok, true, clean.failure?.message);
  assert.equal(clean.runs, 200);
  const allowed = await findBug("error", { runs: 200, allowErrors: ["planted: a body"] });
  assert.equal(allowed.ok, true, allowed.failure?.message);
  const other = await findBug("error", { runs: 200, allowErrors: [/something else/] });
  assert.equal(other.failure?.check, "error-log");
});

test("a failing invariant is reported with the run that broke it", async () => {
  const wasm = join(repoRoot, "examples", "add_header", "build", "optimized.wasm");
  const report = await fuzz(wasm, {
    rootId: "add_header",
    seed: 3,
    runs: 200,
    invariant: ({ streams }) => {
      for (const s of streams)
        if (s.kind === "http" && s.response.headers.get("hello") === "world!")
          throw new Error("a response carries hello: world!");
    },
  });
  assert.equal(report.failure?.check, "invariant");
  assert.equal(report.failure?.message, "a response carries hello: world!");
  assert.ok(report.failure!.trace.some((s) => s.call === "responseHeaders"));
  assert.match(report.failure!.test, /Your invariant failed here/);
});
