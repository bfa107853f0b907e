import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, StartError } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function request(host: Host, extra: Record<string, string> = {}) {
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    { ":method": "GET", ":path": "/orders", ":authority": "shop.example", ...extra },
    { endOfStream: true },
  );
  assert.equal(action, Action.Continue);
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  http.complete();
  return http;
}

test("a request without an id gets a fresh one, echoed on the response", async () => {
  const host = await Host.load(wasm, { rootId: "request_id" });
  const http = request(host);
  const id = http.request.headers.get("x-request-id");
  assert.match(id ?? "", UUID_V4);
  assert.equal(http.response.headers.get("x-request-id"), id);
});

test("every request gets a different id", async () => {
  const host = await Host.load(wasm, { rootId: "request_id" });
  const ids = new Set<string>();
  for (let i = 0; i < 50; i++) ids.add(request(host).request.headers.get("x-request-id")!);
  assert.equal(ids.size, 50);
});

test("an id the client sent is kept and echoed", async () => {
  const host = await Host.load(wasm, { rootId: "request_id" });
  const http = request(host, { "x-request-id": "client-chosen-17" });
  assert.deepEqual(http.request.headers.getAll("x-request-id"), ["client-chosen-17"]);
  assert.equal(http.response.headers.get("x-request-id"), "client-chosen-17");
});

test("an upstream's own id on the response is replaced by the request's", async () => {
  const host = await Host.load(wasm, { rootId: "request_id" });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/", "x-request-id": "abc" });
  http.responseHeaders({ ":status": "200", "x-request-id": "upstream-made-this" });
  assert.deepEqual(http.response.headers.getAll("x-request-id"), ["abc"]);
});

test("the header name is configurable", async () => {
  const host = await Host.load(wasm, {
    rootId: "request_id",
    pluginConfig: { header: "X-Correlation-ID" },
  });
  const http = request(host);
  assert.equal(http.request.headers.get("x-request-id"), undefined);
  const id = http.request.headers.get("x-correlation-id");
  assert.match(id ?? "", UUID_V4);
  assert.equal(http.response.headers.get("x-correlation-id"), id);
});

test("bad configuration stops the plugin with a log line that says why", async () => {
  await assert.rejects(
    Host.load(wasm, { rootId: "request_id", pluginConfig: "{header:" }),
    (err: unknown) =>
      err instanceof StartError &&
      err.logs.some((l) => l.includes("request_id configuration is not valid JSON")),
  );
  await assert.rejects(
    Host.load(wasm, { rootId: "request_id", pluginConfig: { header: ":path" } }),
    (err: unknown) =>
      err instanceof StartError &&
      err.logs.some((l) => l.includes('"header" must be a regular header name')),
  );
});
