// Drives the metrics example through the host emulator and reads the stats Envoy would show.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);

function request(host: Host, method: string) {
  const http = host.newHttpContext();
  http.requestHeaders(
    { ":method": method, ":path": "/", ":authority": "a" },
    { endOfStream: true },
  );
  return http;
}

test("requests are counted per method, unusual methods as OTHER", async () => {
  const host = await Host.load(wasm, { rootId: "metrics" });
  for (const method of ["GET", "GET", "POST", "GET", "PROPFIND"]) request(host, method).complete();
  assert.equal(host.metric("requests_total_method=GET")?.value, 3);
  assert.equal(host.metric("requests_total_method=POST")?.value, 1);
  assert.equal(host.metric("requests_total_method=OTHER")?.value, 1);
  assert.equal(host.metric("requests_total_method=GET")?.type, "counter");
  assert.equal(host.metric("requests_total_method=PROPFIND"), undefined);
});

test("the gauge follows the streams in flight, also those that never get a response", async () => {
  const host = await Host.load(wasm, { rootId: "metrics" });
  const a = request(host, "GET");
  const b = request(host, "GET");
  const c = request(host, "PUT");
  assert.equal(host.metric("active_requests")?.type, "gauge");
  assert.equal(host.metric("active_requests")?.value, 3);
  a.responseHeaders({ ":status": "200" }, { endOfStream: true });
  a.complete();
  assert.equal(host.metric("active_requests")?.value, 2);
  b.complete(); // reset before the response
  c.complete();
  assert.equal(host.metric("active_requests")?.value, 0);
});

test("responses are counted by method and status class, and timed", async () => {
  const host = await Host.load(wasm, { rootId: "metrics" });
  const answers: [string, string, number][] = [
    ["GET", "200", 12],
    ["GET", "204", 30],
    ["GET", "404", 5],
    ["POST", "503", 250],
  ];
  for (const [method, status, ms] of answers) {
    const http = request(host, method);
    host.tick(ms); // the upstream takes its time (virtual clock)
    http.responseHeaders({ ":status": status }, { endOfStream: true });
    http.complete();
  }
  assert.equal(host.metric("responses_total_method=GET_status=2xx")?.value, 2);
  assert.equal(host.metric("responses_total_method=GET_status=4xx")?.value, 1);
  assert.equal(host.metric("responses_total_method=POST_status=5xx")?.value, 1);
  const fast = host.metric("response_time_ms_status=2xx");
  assert.equal(fast?.type, "histogram");
  assert.deepEqual(fast?.values, [12, 30]);
  assert.deepEqual(host.metric("response_time_ms_status=4xx")?.values, [5]);
  assert.deepEqual(host.metric("response_time_ms_status=5xx")?.values, [250]);
});

test("every stat is defined once per name and lives under wasmcustom.", async () => {
  const host = await Host.load(wasm, { rootId: "metrics" });
  for (let i = 0; i < 20; i++) {
    const http = request(host, "GET");
    http.responseHeaders({ ":status": "200" }, { endOfStream: true });
    http.complete();
  }
  assert.deepEqual(Object.keys(host.metrics()).sort(), [
    "active_requests",
    "requests_total_method=GET",
    "response_time_ms_status=2xx",
    "responses_total_method=GET_status=2xx",
  ]);
  assert.equal(host.metric("wasmcustom.requests_total_method=GET")?.value, 20);
  assert.deepEqual(host.logs("error"), []);
});

test("the module imports only Proxy-Wasm hostcalls", () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    assert.equal(from, "env", name);
    assert.match(name, /^proxy_/);
  }
});
