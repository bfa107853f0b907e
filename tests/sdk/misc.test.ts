// Foreign functions, getCallStatus outside a callout, the wall clock, effective contexts and done()
// of a root not shutting down, through tests/filters/misc.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("misc");

async function run(testCase: string, options: Parameters<typeof Host.load>[1] = {}) {
  const host = await Host.load(wasm, { rootId: "misc", ...options });
  host.registerForeignFunction("upper", (args) => args.toString().toUpperCase());
  host.registerForeignFunction("nothing", () => undefined);
  host.registerForeignFunction("refuse", () => 2);
  const from = mark(host);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/here", "x-case": testCase });
  return { host, http, r: reports(host, from) };
}

test("callForeignFunction: the result bytes, empty results, NotFound and the host's own failure", async () => {
  const { r } = await run("foreign");
  assert.equal(r["upper"], "[HELLO WASM]");
  assert.equal(r["upper.result"], "0");
  assert.equal(r["empty"], "[]");
  assert.equal(r["empty.result"], "0");
  assert.equal(r["missing"], "null");
  assert.equal(r["missing.result"], "1");
  assert.equal(r["refused"], "null");
  assert.equal(r["refused.result"], "2");
  assert.equal(r["refused.value.length"], "0", "a failed call's value is empty, not null");
  assert.equal(r["after"], "[AGAIN]");
  assert.equal(r["after.result"], "0");
  assert.equal(r["arguments.outside"], "null");
});

test("getCurrentTimeNanoseconds reads the host's wall clock", async () => {
  const { host, r } = await run("time", { time: new Date("2024-02-29T12:00:00Z") });
  assert.equal(r["now"], String(host.clock.nowNanos()));
  assert.equal(r["now"], String(BigInt(Date.UTC(2024, 1, 29, 12)) * 1_000_000n));
});

test("getCallStatus with no callout reply is Ok with an empty message", async () => {
  const { r } = await run("status");
  assert.equal(r["status"], "0/");
});

test("setEffectiveContext: hostcalls follow the effective context", async () => {
  const { r } = await run("effective");
  assert.equal(r["root"], "0");
  assert.equal(r["as.root"], "null");
  assert.equal(r["self"], "0");
  assert.equal(r["as.self"], "[/here]");
});

test("RootContext.done() is NotFound while the root is not shutting down", async () => {
  const { r } = await run("done");
  assert.equal(r["done"], "1");
});

test("the clock is exact to the nanosecond at today's epochs", async () => {
  const start = new Date("2030-05-06T07:08:09.250Z");
  const { r } = await run("time", { time: start });
  assert.equal(r["now"], String(BigInt(start.getTime()) * 1_000_000n));
});
