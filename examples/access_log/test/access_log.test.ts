import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const START = Date.UTC(2026, 0, 1, 12, 0, 0);

async function load() {
  return Host.load(wasm, { rootId: "access_log", time: START, logLevel: "info" });
}
const lines = (host: Host) => host.logs("info").map((l) => JSON.parse(l));

test("one JSON line per request, written after the response, with its attributes", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.setProperty("source.address", "10.0.0.7:51234");
  http.requestHeaders(
    {
      ":method": "GET",
      ":path": "/search?q=wasm",
      ":authority": "shop.example",
      "user-agent": "curl/8.5.0",
      "x-request-id": "5f1c",
    },
    { endOfStream: true },
  );
  host.tick(42); // the upstream takes 42 ms
  http.responseHeaders({ ":status": "200", "content-type": "application/json" });
  http.responseBody("[]", { endOfStream: true });
  assert.deepEqual(host.logs("info"), [], "nothing is logged before the request is over");

  http.complete();
  assert.deepEqual(lines(host), [
    {
      start_time: "2026-01-01T12:00:00.000Z",
      method: "GET",
      path: "/search?q=wasm",
      authority: "shop.example",
      status: 200,
      duration_ms: 42,
      request_id: "5f1c",
      user_agent: "curl/8.5.0",
      client: "10.0.0.7:51234",
      details: "via_upstream",
    },
  ]);
});

test("requests interleave; each line is about its own request", async () => {
  const host = await load();
  const a = host.newHttpContext();
  const b = host.newHttpContext();
  a.requestHeaders({ ":method": "POST", ":path": "/orders" });
  b.requestHeaders({ ":method": "GET", ":path": "/health" }, { endOfStream: true });
  host.tick(5);
  b.responseHeaders({ ":status": "204" }, { endOfStream: true });
  b.complete();
  a.requestBody('{"sku": 7}', { endOfStream: true });
  host.tick(120);
  a.responseHeaders({ ":status": "503" }, { endOfStream: true });
  a.complete();
  const [first, second] = lines(host);
  assert.deepEqual(
    [first.method, first.path, first.status, first.duration_ms],
    ["GET", "/health", 204, 5],
  );
  assert.deepEqual(
    [second.method, second.path, second.status, second.duration_ms],
    ["POST", "/orders", 503, 125],
  );
  assert.equal(second.user_agent, null, "a missing attribute is null, not an empty string");
});

test("quotes and backslashes in attributes are escaped, so every line stays valid JSON", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders(
    { ":method": "GET", ":path": '/a"b\\c', "user-agent": 'say "hi"' },
    { endOfStream: true },
  );
  http.responseHeaders({ ":status": "404" }, { endOfStream: true });
  http.complete();
  const [line] = lines(host);
  assert.equal(line.path, '/a"b\\c');
  assert.equal(line.user_agent, 'say "hi"');
});

test("a stream that ends before any response is logged with a null status", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/slow" }, { endOfStream: true });
  host.tick(1000);
  http.complete(); // the client went away
  const [line] = lines(host);
  assert.equal(line.status, null);
  assert.equal(line.duration_ms, 1000);
});

test("a tab in a header value (legal in HTTP) does not break the JSON line", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders(
    { ":method": "GET", ":path": "/", "user-agent": "old\tbrowser" },
    { endOfStream: true },
  );
  http.complete();
  assert.equal(lines(host)[0].user_agent, "old browser");
});
