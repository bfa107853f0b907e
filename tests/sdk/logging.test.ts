// Logging: lines at each level, nothing below the host's level (not even a proxy_log call), the
// level read again in every callback, isLogEnabled guards, trace(), Envoy's log prefix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, formatLogEntry } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("logging");

/** Counts every proxy_log call the module makes, per level, including lines the host drops. */
function countCalls(host: Host): number[] {
  const calls = [0, 0, 0, 0, 0, 0];
  const original = host.pluginLog.bind(host);
  host.pluginLog = (level, message, vm, ctx) => {
    calls[level]++;
    original(level, message, vm, ctx);
  };
  return calls;
}

test("host level trace: every line, the guarded message is built, trace() goes to debug", async () => {
  const host = await Host.load(wasm, { rootId: "logging", logLevel: "trace" });
  const from = mark(host);
  host.newHttpContext().requestHeaders({ ":path": "/" });
  assert.deepEqual(host.logs("trace"), ["t:trace"]);
  assert.deepEqual(host.logs("debug"), [
    "t:debug",
    "t:log-debug",
    "t:expensive computed",
    "trace: t:builtin 1.5 2.0",
  ]);
  assert.deepEqual(host.logs("info"), ["t:info"]);
  assert.deepEqual(host.logs("warn"), ["t:warn", "t:log-warn"]);
  assert.deepEqual(host.logs("error"), ["t:error"]);
  const r = reports(host, from);
  assert.equal(r["level"], "0");
  assert.equal(r["enabled.debug"], "true");
  assert.equal(r["evaluated"], "1");
});

test("host level info: nothing below info is logged, proxy_log is not even called, nothing is built", async () => {
  const host = await Host.load(wasm, { rootId: "logging", logLevel: "info" });
  const calls = countCalls(host);
  const from = mark(host);
  host.newHttpContext().requestHeaders({ ":path": "/" });
  assert.equal(calls[0], 0, "no proxy_log call at trace");
  assert.equal(calls[1], 0, "no proxy_log call at debug (trace() included)");
  assert.equal(calls[2], 1);
  assert.equal(calls[3], 2);
  assert.deepEqual(host.logs("debug"), []);
  assert.deepEqual(host.logs("trace"), []);
  assert.deepEqual(host.logs("info"), ["t:info"]);
  const r = reports(host, from);
  assert.equal(r["level"], "2");
  assert.equal(r["enabled.debug"], "false");
  assert.equal(r["evaluated"], "0", "the guarded message was never built");
});

test("the host level is read again in every callback", async () => {
  const host = await Host.load(wasm, { rootId: "logging", logLevel: "warn" });
  host.newHttpContext().requestHeaders({ ":path": "/" });
  assert.deepEqual(host.logs("info"), []);
  host.logLevel = 1; // debug
  const from = mark(host);
  host.newHttpContext().requestHeaders({ ":path": "/" });
  assert.deepEqual(host.logs("debug"), [
    "t:debug",
    "t:log-debug",
    "t:expensive computed",
    "trace: t:builtin 1.5 2.0",
  ]);
  assert.equal(reports(host, from)["level"], "1");
});

test("host level off: not even critical lines", async () => {
  const host = await Host.load(wasm, { rootId: "logging", logLevel: "off" });
  const calls = countCalls(host);
  host.newHttpContext().requestHeaders({ ":path": "/" });
  assert.deepEqual(calls, [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(host.logs(), []);
});

test("lines carry Envoy's prefix: plugin name, root id, vm id", async () => {
  const host = await Host.load(wasm, { rootId: "logging", pluginName: "logger", vmId: "vm1" });
  host.newHttpContext().requestHeaders({ ":path": "/" });
  const entry = host.logEntries.find((e) => e.message === "t:warn");
  assert.ok(entry);
  assert.equal(formatLogEntry(entry), "wasm log logger logging vm1: t:warn");
});

test("the host's level is asked once per callback that logs, and not at all by callbacks that do not", async () => {
  const host = await Host.load(wasm, { rootId: "logging", logLevel: "info" });
  // proxy_get_log_level reads host.logLevel; so does the host's own filtering of each proxy_log
  // call, which countCalls counts, so the hostcall's reads are the difference.
  let reads = 0;
  let level = 2;
  Object.defineProperty(host, "logLevel", {
    get: () => (reads++, level),
    set: (v: number) => (level = v),
  });
  const calls = countCalls(host);
  const asked = () => reads - calls.reduce((a, b) => a + b, 0);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" }); // a dozen log calls
  assert.ok(calls.reduce((a, b) => a + b, 0) > 5);
  assert.equal(asked(), 1);
  http.responseHeaders({ ":status": "200" }, { endOfStream: true }); // logs nothing
  assert.equal(asked(), 1);
  http.complete();
  assert.equal(asked(), 1);
  host.newHttpContext().requestHeaders({ ":path": "/" });
  assert.equal(asked(), 2);
});
