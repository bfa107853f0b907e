// Drives http_body_chunk through the host emulator: every chunk must go out as soon as it
// arrives (Envoy buffers nothing), rewritten.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host, type HttpContext } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = { from: "cat", to: "dog" };

async function streamingResponse(pluginConfig: object = config) {
  const host = await Host.load(wasm, { rootId: "http_body_chunk", pluginConfig });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/", ":authority": "a" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200", "content-length": "100" });
  return { host, http };
}

function send(http: HttpContext, chunk: string | Uint8Array, endOfStream = false): string[] {
  assert.equal(http.responseBody(chunk, { endOfStream }), Action.Continue);
  assert.equal(http.response.pendingBody.length, 0, "Envoy holds nothing back");
  return http.response.bodyChunks.map(String);
}

test("each chunk is rewritten and passed on at once", async () => {
  const { http } = await streamingResponse();
  assert.equal(http.response.headers.has("content-length"), false);
  assert.deepEqual(send(http, "a cat and "), ["a dog and "]);
  assert.deepEqual(send(http, "a catalog"), ["a dog and ", "a dogalog"]);
  assert.deepEqual(send(http, "!", true), ["a dog and ", "a dogalog", "!"]);
  assert.equal(http.response.ended, true);
});

test("a word split across chunks is still found; only its start waits", async () => {
  const { host, http } = await streamingResponse();
  // "ca" could be the start of "cat": it is kept until the next chunk arrives.
  assert.deepEqual(send(http, "my ca"), ["my "]);
  assert.deepEqual(send(http, "t sleeps, c"), ["my ", "dog sleeps, "]);
  assert.deepEqual(send(http, "", true), ["my ", "dog sleeps, ", "c"]);
  assert.equal(http.response.text(), "my dog sleeps, c");
  assert.deepEqual(host.logs("debug"), [
    "chunk 1: 5 bytes in, 3 out",
    "chunk 2: 11 bytes in, 12 out",
    "chunk 3: 0 bytes in, 1 out",
  ]);
});

test("a 1 MiB body streams through chunk by chunk, byte for byte", async () => {
  const { host, http } = await streamingResponse({ from: "needle", to: "NEEDLE!" });
  const piece = "hay ".repeat(1000) + "needle ";
  let expected = "";
  for (let i = 0; i < 256; i++) {
    send(http, piece, i === 255);
    expected += piece.replace("needle", "NEEDLE!");
  }
  assert.equal(http.response.bodyChunks.length, 256);
  assert.equal(http.response.text(), expected);
  assert.ok(expected.length > 1_000_000);
  assert.equal(host.vm.failure, null);
});

test("multi-byte words and characters split across chunks", async () => {
  const { http } = await streamingResponse({ from: "Kätzchen", to: "Hündchen" });
  const bytes = Buffer.from("ein Kätzchen schläft");
  for (let i = 0; i < bytes.length; i++) send(http, bytes.subarray(i, i + 1), false);
  send(http, "", true);
  assert.equal(http.response.text(), "ein Hündchen schläft");
});

test("requests and body-less responses are not touched", async () => {
  const { http } = await streamingResponse();
  const host = await Host.load(wasm, { rootId: "http_body_chunk", pluginConfig: config });
  const post = host.newHttpContext();
  post.requestHeaders({
    ":method": "POST",
    ":path": "/",
    ":authority": "a",
    "content-length": "5",
  });
  post.requestBody("a cat", { endOfStream: true });
  assert.equal(post.request.text(), "a cat");
  assert.equal(post.request.headers.get("content-length"), "5");
  post.responseHeaders({ ":status": "204", "content-length": "0" }, { endOfStream: true });
  assert.equal(post.response.headers.get("content-length"), "0");
  http.complete();
});

test("gRPC responses pass untouched", async () => {
  const host = await Host.load(wasm, { rootId: "http_body_chunk", pluginConfig: config });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "POST", ":path": "/pets.Pets/Get", ":authority": "a" });
  http.requestBody("", { endOfStream: true });
  http.responseHeaders({
    ":status": "200",
    "content-type": "application/grpc",
    "content-length": "9",
  });
  http.responseBody("\0\0\0\0\x04a cat");
  http.responseTrailers({ "grpc-status": "0" });
  assert.equal(http.response.text(), "\0\0\0\0\x04a cat");
  assert.equal(http.response.headers.get("content-length"), "9");
});

test("a bad configuration stops the plugin with a log line that says why", async () => {
  const cases: [string, RegExp][] = [
    ["cat=dog", /http_body_chunk configuration is not valid JSON/],
    ['{"from": "", "to": "dog"}', /needs a non-empty "from" and a "to" string/],
    ['{"to": "dog"}', /needs a non-empty "from" and a "to" string/],
  ];
  for (const [pluginConfig, message] of cases) {
    await assert.rejects(Host.load(wasm, { rootId: "http_body_chunk", pluginConfig }), {
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
