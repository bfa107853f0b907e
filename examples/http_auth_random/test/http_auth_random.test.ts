// Drives http_auth_random through the host emulator: the test plays the authorization service
// by answering the filter's callout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const request = { ":method": "GET", ":path": "/private", ":authority": "example.com" };
// httpbin's /uuid answers like this; the last hex digit decides.
const even = '{\n  "uuid": "8e5e7f5b-1f3c-4bd6-9d0f-3a1c2b4d5e6a"\n}\n';
const odd = '{\n  "uuid": "8e5e7f5b-1f3c-4bd6-9d0f-3a1c2b4d5e6f"\n}\n';

async function start() {
  const host = await Host.load(wasm, { rootId: "http_auth_random", clusters: ["httpbin"] });
  const http = host.newHttpContext();
  return { host, http };
}

test("the request waits for the callout to the auth service", async () => {
  const { host, http } = await start();
  assert.equal(http.requestHeaders(request, { endOfStream: true }), Action.Pause);
  assert.equal(http.request.headersForwarded, false);
  const [call] = host.callouts;
  assert.equal(host.callouts.length, 1);
  assert.equal(call.cluster, "httpbin");
  assert.equal(call.headers.get(":method"), "GET");
  assert.equal(call.headers.get(":path"), "/uuid");
  assert.equal(call.headers.get(":authority"), "httpbin.org");
  assert.equal(call.timeoutMs, 5000);
});

test("an even answer lets the request through, marked as allowed", async () => {
  const { host, http } = await start();
  http.requestHeaders({ ...request, ":method": "POST" });
  assert.equal(http.requestBody("payload", { endOfStream: true }), Action.Pause);
  host.respondToCallout(host.callouts[0], {
    headers: { "content-type": "application/json" },
    body: even,
  });
  assert.equal(http.sentLocalResponse, null);
  assert.equal(http.request.headersForwarded, true);
  assert.equal(http.request.headers.get("x-auth-decision"), "allowed");
  assert.equal(http.request.text(), "payload", "the held body follows");
  assert.equal(http.responseHeaders({ ":status": "200" }, { endOfStream: true }), Action.Continue);
  http.complete();
  assert.ok(host.logs("info").includes("access granted"));
});

test("an odd answer gets 403 and the request never reaches the upstream", async () => {
  const { host, http } = await start();
  http.requestHeaders(request, { endOfStream: true });
  host.respondToCallout(host.callouts[0], { body: odd });
  const reply = http.sentLocalResponse;
  assert.ok(reply);
  assert.equal(reply.status, 403);
  assert.equal(reply.details, "access_forbidden");
  assert.equal(reply.body.toString(), "access forbidden\n");
  assert.deepEqual(reply.headers, [["x-auth-decision", "denied"]]);
  assert.equal(http.request.headersForwarded, false);
  assert.equal(http.response.headers.get(":status"), "403");
  assert.equal(http.response.text(), "access forbidden\n");
  assert.ok(host.logs("info").includes("access forbidden"));
});

test("a failed, refused or timed-out auth service fails closed with 503", async () => {
  const outcomes: [string, (host: Host, token: number) => void][] = [
    ["reset", (host, token) => host.respondToCallout(token, "reset")],
    ["500", (host, token) => host.respondToCallout(token, { status: 500, body: "oops" })],
    ["timeout", (host) => host.tick(5000)],
  ];
  for (const [name, fail] of outcomes) {
    const { host, http } = await start();
    http.requestHeaders(request, { endOfStream: true });
    fail(host, host.callouts[0].token);
    assert.equal(http.sentLocalResponse?.status, 503, name);
    assert.equal(http.sentLocalResponse?.details, "auth_service_unavailable", name);
    assert.equal(http.request.headersForwarded, false, name);
    assert.ok(host.logs("warn").includes("auth service failed; denying the request"), name);
  }
});

test("an unknown cluster answers 503 at once", async () => {
  const host = await Host.load(wasm, { rootId: "http_auth_random", clusters: ["other"] });
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders(request, { endOfStream: true }), Action.Pause);
  assert.equal(host.callouts.length, 0);
  assert.equal(http.sentLocalResponse?.status, 503);
  assert.match(host.logs("error")[0], /auth callout not sent: result 2/);
});

test("concurrent requests each get their own answer", async () => {
  const host = await Host.load(wasm, { rootId: "http_auth_random", clusters: ["httpbin"] });
  const a = host.newHttpContext();
  const b = host.newHttpContext();
  a.requestHeaders(request, { endOfStream: true });
  b.requestHeaders(request, { endOfStream: true });
  const [callA, callB] = host.callouts;
  host.respondToCallout(callB, { body: even }); // answered out of order
  host.respondToCallout(callA, { body: odd });
  assert.equal(a.sentLocalResponse?.status, 403);
  assert.equal(b.sentLocalResponse, null);
  assert.equal(b.request.headersForwarded, true);
});

test("the module imports only Proxy-Wasm hostcalls", () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    assert.equal(from, "env", name);
    assert.match(name, /^proxy_/);
  }
});
