// Drives add_header through the host emulator as Envoy would run it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);

test("every response gets `hello: world!` when the configuration is empty", async () => {
  const host = await Host.load(wasm, { rootId: "add_header", pluginConfig: "" });
  const http = host.newHttpContext();
  assert.equal(
    http.requestHeaders(
      { ":method": "GET", ":path": "/", ":authority": "example.com" },
      { endOfStream: true },
    ),
    Action.Continue,
  );
  assert.equal(http.request.headers.get("hello"), undefined, "the request is left alone");
  assert.equal(
    http.responseHeaders({ ":status": "200", "content-type": "text/plain" }),
    Action.Continue,
  );
  assert.equal(http.responseBody("ok", { endOfStream: true }), Action.Continue);
  assert.deepEqual(http.response.headers.getAll("hello"), ["world!"]);
  assert.equal(http.response.headers.get("content-type"), "text/plain");
  assert.equal(http.response.text(), "ok");
  http.complete();
  assert.deepEqual(host.logs("error"), []);
});

test("the configuration becomes the header value, on every stream", async () => {
  const host = await Host.load(wasm, { rootId: "add_header", pluginConfig: "from the config" });
  for (const status of ["200", "404", "503"]) {
    const http = host.newHttpContext();
    http.requestHeaders(
      { ":method": "GET", ":path": "/x", ":authority": "example.com" },
      { endOfStream: true },
    );
    http.responseHeaders({ ":status": status }, { endOfStream: true });
    assert.deepEqual(http.response.headers.getAll("hello"), ["from the config"]);
    assert.equal(http.response.headers.get(":status"), status);
    http.complete();
  }
});

test("the module imports only Proxy-Wasm hostcalls", () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    assert.equal(from, "env", name);
    assert.match(name, /^proxy_/);
  }
});
