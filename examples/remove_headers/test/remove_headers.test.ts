import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, StartError } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = {
  request: ["X-Internal-Token", "x-debug"],
  response: ["server", "x-powered-by"],
};

test("configured request headers never reach the upstream, all their copies included", async () => {
  const host = await Host.load(wasm, { rootId: "remove_headers", pluginConfig: config });
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    [
      [":method", "GET"],
      [":path", "/account"],
      [":authority", "shop.example"],
      ["x-internal-token", "secret-1"],
      ["x-debug", "1"],
      ["X-Internal-Token", "secret-2"],
      ["accept", "text/html"],
    ],
    { endOfStream: true },
  );
  assert.equal(action, Action.Continue);
  assert.deepEqual(http.request.headers.entries(), [
    [":method", "GET"],
    [":path", "/account"],
    [":authority", "shop.example"],
    ["accept", "text/html"],
  ]);
});

test("configured response headers never reach the client; request-only names stay", async () => {
  const host = await Host.load(wasm, { rootId: "remove_headers", pluginConfig: config });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/" }, { endOfStream: true });
  http.responseHeaders({
    ":status": "200",
    server: "nginx/1.25.3",
    "x-powered-by": "Express",
    "x-debug": "kept: only request headers named x-debug are removed",
    "content-type": "text/html",
  });
  http.responseBody("<html></html>", { endOfStream: true });
  http.complete();
  assert.deepEqual(http.response.headers.entries(), [
    [":status", "200"],
    ["x-debug", "kept: only request headers named x-debug are removed"],
    ["content-type", "text/html"],
  ]);
  assert.equal(http.response.text(), "<html></html>");
});

test("one side alone is enough", async () => {
  const host = await Host.load(wasm, {
    rootId: "remove_headers",
    pluginConfig: { response: ["server"] },
  });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", server: "odd but allowed" }, { endOfStream: true });
  http.responseHeaders({ ":status": "204", server: "envoy" }, { endOfStream: true });
  assert.equal(http.request.headers.get("server"), "odd but allowed");
  assert.equal(http.response.headers.has("server"), false);
});

function refused(pluginConfig: unknown, line: string) {
  return assert.rejects(
    Host.load(wasm, { rootId: "remove_headers", pluginConfig: pluginConfig as object }),
    (err: unknown) => err instanceof StartError && err.logs.some((l) => l.includes(line)),
  );
}

test("bad configuration stops the plugin with a log line that says why", async () => {
  await refused("", "remove_headers configuration is not valid JSON");
  await refused('{"request": ["a",]}', "remove_headers configuration is not valid JSON");
  await refused("[]", "remove_headers configuration must be a JSON object");
  await refused({}, 'list headers under "request" or "response"');
  await refused({ request: "x-debug" }, '"request" must be an array of header names');
  await refused({ response: ["server", 7] }, '"response" has an invalid header name: 7');
  await refused({ request: [":authority"] }, '"request" has an invalid header name: ":authority"');
});
