// Runs build/optimized.wasm in the Proxy-Wasm host emulator, the way Envoy would run it.
// `npm test` builds the module first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const rootId = "__ROOT_ID__";

test("adds hello: world! to every response", async () => {
  const host = await Host.load(wasm, { rootId });
  const http = host.newHttpContext();
  const request = { ":method": "GET", ":path": "/", ":authority": "example.com" };
  assert.equal(http.requestHeaders(request, { endOfStream: true }), Action.Continue);
  assert.equal(http.responseHeaders({ ":status": "200" }), Action.Continue);
  assert.equal(http.response.headers.get("hello"), "world!");
  http.complete();
});

test("the plugin configuration names the header and its value", async () => {
  const pluginConfig = { header: "X-Greeting", value: "bonjour" };
  const host = await Host.load(wasm, { rootId, pluginConfig });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200" });
  assert.equal(http.response.headers.get("x-greeting"), "bonjour");
  assert.equal(http.response.headers.get("hello"), undefined);
  http.complete();
});

test("a configuration that is not JSON is rejected", async () => {
  await assert.rejects(Host.load(wasm, { rootId, pluginConfig: "{not json" }));
});
