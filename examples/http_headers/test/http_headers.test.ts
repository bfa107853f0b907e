// Drives http_headers through the host emulator: what the upstream and the client see, and
// what the filter logs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = { header: "x-greeting", value: "hello from wasm" };

test("request: logged, x-internal-* removed, x-wasm-filter added", async () => {
  const host = await Host.load(wasm, { rootId: "http_headers", pluginConfig: config });
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    [
      [":method", "GET"],
      [":path", "/api"],
      [":authority", "example.com"],
      ["x-internal-user", "admin"],
      ["accept", "*/*"],
      ["x-internal-trace", "1"],
    ],
    { endOfStream: true },
  );
  assert.equal(action, Action.Continue);
  const sent = http.request.headers;
  assert.equal(sent.get("x-internal-user"), undefined);
  assert.equal(sent.get("x-internal-trace"), undefined);
  assert.equal(sent.get("accept"), "*/*");
  assert.equal(sent.get("x-wasm-filter"), "http_headers");
  assert.deepEqual(
    host.logs("info").filter((l) => l.startsWith("request header")),
    [
      "request header --> :method: GET",
      "request header --> :path: /api",
      "request header --> :authority: example.com",
      "request header --> x-internal-user: admin",
      "request header --> accept: */*",
      "request header --> x-internal-trace: 1",
    ],
  );
});

test("response: configured header added, server replaced, x-powered-by removed", async () => {
  const host = await Host.load(wasm, { rootId: "http_headers", pluginConfig: config });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/", ":authority": "a" }, { endOfStream: true });
  const action = http.responseHeaders({
    ":status": "200",
    server: "nginx/1.25",
    "x-powered-by": "PHP/8.3",
    "content-type": "text/html",
  });
  assert.equal(action, Action.Continue);
  const got = http.response.headers;
  assert.equal(got.get("x-greeting"), "hello from wasm");
  assert.deepEqual(got.getAll("server"), ["envoy"]);
  assert.equal(got.has("x-powered-by"), false);
  assert.equal(got.get("content-type"), "text/html");
  assert.ok(host.logs("info").includes("response header <-- server: envoy"));
  http.complete();
});

test("replace adds the header when the upstream sent none", async () => {
  const host = await Host.load(wasm, { rootId: "http_headers", pluginConfig: config });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/", ":authority": "a" }, { endOfStream: true });
  http.responseHeaders({ ":status": "204" }, { endOfStream: true });
  assert.deepEqual(http.response.headers.getAll("server"), ["envoy"]);
});

test("nothing is logged below the host's log level", async () => {
  const host = await Host.load(wasm, {
    rootId: "http_headers",
    pluginConfig: config,
    logLevel: "warn",
  });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/", ":authority": "a" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  assert.deepEqual(host.logs(), []);
  assert.equal(http.response.headers.get("x-greeting"), "hello from wasm");
});

test("a bad configuration stops the plugin with a log line that says why", async () => {
  const cases: [string, RegExp][] = [
    ["{not json", /http_headers configuration is not valid JSON/],
    ['["x-greeting"]', /http_headers configuration must be a JSON object/],
    ['{"header": "x-greeting"}', /needs "header" and "value" strings/],
    ['{"header": 1, "value": "v"}', /needs "header" and "value" strings/],
    ["", /http_headers configuration is not valid JSON/],
  ];
  for (const [pluginConfig, message] of cases) {
    await assert.rejects(Host.load(wasm, { rootId: "http_headers", pluginConfig }), {
      name: "StartError",
      message,
    });
  }
});

test("the module imports only Proxy-Wasm hostcalls", () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    assert.equal(from, "env", name);
    assert.match(name, /^proxy_/);
  }
});
