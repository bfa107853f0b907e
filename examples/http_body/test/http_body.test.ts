// Drives http_body through the host emulator with bodies in several chunks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = { from: "ping", to: "pong" };
const post = {
  ":method": "POST",
  ":path": "/echo",
  ":authority": "example.com",
  "content-type": "text/plain",
  "content-length": "20",
};

test("the request body is held until its end, then rewritten as a whole", async () => {
  const host = await Host.load(wasm, { rootId: "http_body", pluginConfig: config });
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders(post), Action.Continue);
  assert.equal(http.request.headers.has("content-length"), false, "the length will change");
  // "ping" is split across two chunks: only a filter that sees the whole body can find it.
  assert.equal(http.requestBody("ping, pi"), Action.Pause);
  assert.equal(http.requestBody("ng and "), Action.Pause);
  assert.equal(http.request.body.length, 0, "nothing reached the upstream yet");
  assert.equal(http.requestBody("ping!", { endOfStream: true }), Action.Continue);
  assert.equal(http.request.text(), "pong, pong and pong!");
  assert.equal(http.request.bodyChunks.length, 1, "forwarded in one piece");
  assert.ok(host.logs("info").includes("request body: 20 bytes, 3 replaced"));
});

test("the response body is rewritten too; the headers are passed on first", async () => {
  const host = await Host.load(wasm, { rootId: "http_body", pluginConfig: config });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/", ":authority": "a" }, { endOfStream: true });
  const status = { ":status": "200", "content-type": "text/plain", "content-length": "11" };
  assert.equal(http.responseHeaders(status), Action.Continue);
  assert.equal(http.response.headersForwarded, true);
  assert.equal(http.response.headers.has("content-length"), false);
  assert.equal(http.responseBody("ping "), Action.Pause);
  assert.equal(http.responseBody("ping!", { endOfStream: true }), Action.Continue);
  assert.equal(http.response.text(), "pong pong!");
  http.complete();
  assert.ok(host.logs("info").includes("response body: 10 bytes, 2 replaced"));
});

test("a body without the word, an empty body and a body-less request pass unchanged", async () => {
  const host = await Host.load(wasm, {
    rootId: "http_body",
    pluginConfig: { from: "secret", to: "******" },
  });
  const http = host.newHttpContext();
  http.requestHeaders(post);
  http.requestBody("nothing to see", { endOfStream: true });
  assert.equal(http.request.text(), "nothing to see");
  http.responseHeaders({ ":status": "200" });
  http.responseBody("", { endOfStream: true });
  assert.equal(http.response.text(), "");
  assert.equal(http.response.ended, true);

  const get = host.newHttpContext();
  get.requestHeaders(
    { ":method": "GET", ":path": "/", ":authority": "a", "content-length": "0" },
    {
      endOfStream: true,
    },
  );
  assert.equal(get.request.headers.get("content-length"), "0", "no body: headers untouched");
});

test("UTF-8 text survives the rewrite", async () => {
  const host = await Host.load(wasm, {
    rootId: "http_body",
    pluginConfig: { from: "Grüße", to: "こんにちは" },
  });
  const http = host.newHttpContext();
  http.requestHeaders(post);
  const bytes = Buffer.from("Grüße aus Köln");
  http.requestBody(bytes.subarray(0, 3)); // splits the two bytes of "ü"
  http.requestBody(bytes.subarray(3), { endOfStream: true });
  assert.equal(http.request.text(), "こんにちは aus Köln");
});

test("a bad configuration stops the plugin with a log line that says why", async () => {
  const cases: [unknown, RegExp][] = [
    ['{"from": "a", "to": }', /http_body configuration is not valid JSON/],
    [{ from: "", to: "x" }, /needs a non-empty "from" and a "to" string/],
    [{ from: "a" }, /needs a non-empty "from" and a "to" string/],
    [{ from: "a", to: 5 }, /needs a non-empty "from" and a "to" string/],
  ];
  for (const [pluginConfig, message] of cases) {
    await assert.rejects(
      Host.load(wasm, { rootId: "http_body", pluginConfig: pluginConfig as object }),
      { name: "StartError", message },
    );
  }
});

test("the module imports only Proxy-Wasm hostcalls", () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    assert.equal(from, "env", name);
    assert.match(name, /^proxy_/);
  }
});
