// Metric wrappers: Counter / Gauge / Histogram (Envoy's rules), get(), tags in the name,
// definitions the host refuses (Metric.status), through tests/filters/metrics.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("metrics");

async function run(testCase: string) {
  const host = await Host.load(wasm, { rootId: "metrics" });
  const from = mark(host);
  host.newHttpContext().requestHeaders({ ":path": "/", "x-case": testCase });
  return { host, r: reports(host, from) };
}

test("ids follow Envoy (id & 3 is the type); a tagged name carries _key=value parts", async () => {
  const host = await Host.load(wasm, { rootId: "metrics" });
  const r = reports(host);
  assert.equal(Number(r["id.counter"]) & 3, 0);
  assert.equal(Number(r["id.tagged"]) & 3, 0);
  assert.notEqual(r["id.counter"], r["id.tagged"]);
  assert.equal(Number(r["id.gauge"]) & 3, 1);
  assert.equal(Number(r["id.histogram"]) & 3, 2);
  assert.equal(r["name.tagged"], "requests_method=get_reporter=wasm");
  assert.deepEqual(Object.keys(host.metrics()).sort(), [
    "inflight",
    "latency_ms",
    "requests_method=get_reporter=wasm",
    "requests_total",
  ]);
});

test("Counter: increment adds, 0 is BadArgument, get() reads the value", async () => {
  const { host, r } = await run("count");
  assert.equal(r["increment"], "0");
  assert.equal(r["increment.5"], "0");
  assert.equal(r["increment.0"], "2");
  assert.equal(r["counter.get"], "6");
  assert.equal(host.metric("requests_total")?.type, "counter");
  assert.equal(host.metric("requests_total")?.value, 6);
  assert.equal(host.metric("wasmcustom.requests_method=get_reporter=wasm")?.value, 1);
});

test("the same stat across streams: counters accumulate", async () => {
  const host = await Host.load(wasm, { rootId: "metrics" });
  for (let i = 0; i < 3; i++)
    host.newHttpContext().requestHeaders({ ":path": "/", "x-case": "count" });
  assert.equal(host.metric("requests_total")?.value, 18);
});

test("Gauge: record sets, increment adds or subtracts", async () => {
  const { host, r } = await run("gauge");
  assert.equal(r["record"], "0");
  assert.equal(r["up"], "0");
  assert.equal(r["down"], "0");
  assert.equal(r["gauge.get"], "7");
  assert.equal(host.metric("inflight")?.value, 7);
});

test("Histogram: record keeps every sample; get() is not available (not ok)", async () => {
  const { host, r } = await run("histogram");
  assert.equal(r["record.a"], "0");
  assert.equal(r["record.b"], "0");
  assert.equal(r["histogram.get"], "not ok 2");
  assert.deepEqual(host.metric("latency_ms")?.values, [12, 30]);
});

test("metric definitions: a redefinition gets a new id; a bad type is refused (id 0, status, error log, get() not ok)", async () => {
  const { host, r } = await run("define");
  assert.equal(r["tags"], "calls_code=200", "a key without a value is left out");
  assert.equal(r["tags.none"], "calls");
  assert.notEqual(r["raw.id"], "0");
  assert.notEqual(r["raw.again"], r["raw.id"]);
  assert.equal(r["bad.type"], "0 2");
  assert.equal(r["refused.id"], "0");
  assert.equal(r["refused.get"], "not ok 1");
  assert.equal(r["counter.new"], "0");
  assert.ok(host.logs("error").includes("proxy-wasm-as: the host refused to define metric bad"));
  assert.ok(
    host.logs("error").includes("proxy-wasm-as: the host refused to define metric refused"),
  );
  assert.equal(host.metric("raw_counter")?.value, 0);
});
