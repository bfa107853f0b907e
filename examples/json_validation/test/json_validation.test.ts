// Drives json_validation through the host emulator with good and bad JSON requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host, type HttpContext } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = { required_fields: ["user", "amount"], max_body_bytes: 64 };
const headers = {
  ":method": "POST",
  ":path": "/payments",
  ":authority": "api.example.com",
  "content-type": "application/json; charset=utf-8",
};

async function post(body: string[], extra: Record<string, string> = {}) {
  const host = await Host.load(wasm, { rootId: "json_validation", pluginConfig: config });
  const http = host.newHttpContext();
  http.requestHeaders({ ...headers, ...extra });
  body.forEach((chunk, i) => http.requestBody(chunk, { endOfStream: i === body.length - 1 }));
  return { host, http };
}

function rejected(http: HttpContext, status: number, error: string): void {
  const reply = http.sentLocalResponse;
  assert.ok(reply, "a local reply");
  assert.equal(reply.status, status);
  assert.deepEqual(JSON.parse(reply.body.toString()), { error });
  assert.deepEqual(reply.headers, [["content-type", "application/json"]]);
  assert.equal(http.request.body.length, 0, "no body reached the upstream");
}

test("a valid body, sent in chunks, reaches the upstream whole", async () => {
  const { host, http } = await post(['{"user": "ann", ', '"amount": 12.5, "note": "ok"}']);
  assert.equal(http.sentLocalResponse, null);
  assert.equal(http.request.text(), '{"user": "ann", "amount": 12.5, "note": "ok"}');
  assert.equal(http.action, Action.Continue);
  assert.deepEqual(host.logs("error"), []);
});

test("malformed JSON gets 400 with the parser's reason", async () => {
  const { host, http } = await post(['{"user": "ann", "amount": }']);
  rejected(http, 400, "malformed JSON: unexpected character at offset 26");
  assert.equal(http.sentLocalResponse?.details, "json_validation_failed");
  assert.ok(
    host.logs("info").includes("rejected: malformed JSON: unexpected character at offset 26"),
  );
});

test("a missing required field gets 400 naming it", async () => {
  const { http } = await post(['{"user": "ann"}']);
  rejected(http, 400, "missing field: amount");
});

test("JSON that is not an object gets 400", async () => {
  const { http } = await post(['["user", "amount"]']);
  rejected(http, 400, "the body must be a JSON object");
});

test("a body over max_body_bytes gets 413 as soon as it is too large", async () => {
  const { http } = await post(['{"user": "' + "x".repeat(40), '", "padding": "' + "y".repeat(40)]);
  rejected(http, 413, "body larger than 64 bytes");
  assert.equal(http.sentLocalResponse?.details, "json_validation_too_large");
});

test("another content-type gets 415 at the headers", async () => {
  const host = await Host.load(wasm, { rootId: "json_validation", pluginConfig: config });
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ...headers, "content-type": "text/plain" }), Action.Pause);
  rejected(http, 415, "content-type must be application/json");
  assert.equal(http.request.headersForwarded, false);
});

test("requests without a body are not checked", async () => {
  const host = await Host.load(wasm, { rootId: "json_validation", pluginConfig: config });
  const http = host.newHttpContext();
  const get = { ":method": "GET", ":path": "/payments", ":authority": "api.example.com" };
  assert.equal(http.requestHeaders(get, { endOfStream: true }), Action.Continue);
  assert.equal(http.sentLocalResponse, null);
});

test("max_body_bytes defaults to 64 KiB", async () => {
  const host = await Host.load(wasm, {
    rootId: "json_validation",
    pluginConfig: { required_fields: ["user"] },
  });
  const http = host.newHttpContext();
  http.requestHeaders(headers);
  const body = JSON.stringify({ user: "ann", blob: "z".repeat(60_000) });
  http.requestBody(body, { endOfStream: true });
  assert.equal(http.sentLocalResponse, null);
  assert.equal(http.request.text(), body);

  const over = host.newHttpContext();
  over.requestHeaders(headers);
  over.requestBody(JSON.stringify({ user: "ann", blob: "z".repeat(65_536) }), {
    endOfStream: true,
  });
  rejected(over, 413, "body larger than 65536 bytes");
});

test("a bad configuration stops the plugin with a log line that says why", async () => {
  const cases: [unknown, RegExp][] = [
    [
      '{"required_fields": ["user",]}',
      /json_validation configuration is not valid JSON: unexpected character/,
    ],
    [[], /json_validation configuration must be a JSON object/],
    [{}, /required_fields must be a non-empty array/],
    [{ required_fields: [] }, /required_fields must be a non-empty array/],
    [{ required_fields: "user" }, /required_fields must be a non-empty array/],
    [{ required_fields: ["user", 7] }, /required_fields must hold only strings/],
    [{ required_fields: ["user"], max_body_bytes: 0 }, /max_body_bytes must be a positive integer/],
    [
      { required_fields: ["user"], max_body_bytes: "1k" },
      /max_body_bytes must be a positive integer/,
    ],
  ];
  for (const [pluginConfig, message] of cases) {
    await assert.rejects(
      Host.load(wasm, { rootId: "json_validation", pluginConfig: pluginConfig as object }),
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
