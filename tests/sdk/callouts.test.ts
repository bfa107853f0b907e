// HTTP callouts: dispatch, the reply routed back to the stream that made it (effective context),
// failures and getCallStatus, timeouts, argument errors (a Result that is not ok, token 0), a root
// context's own callout, and a stream deleted before its reply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, Action } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("callouts");
const load = (pluginConfig = "") =>
  Host.load(wasm, { rootId: "callouts", pluginConfig, clusters: ["auth", "stats"] });

function request(tag: string, testCase = "call", extra: Record<string, string> = {}) {
  return { ":path": "/resource", ":method": "GET", "x-case": testCase, "x-tag": tag, ...extra };
}

test("the callout carries headers, body (content-length) and trailers; a 200 reply resumes the stream", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  assert.equal(http.requestHeaders(request("a"), { endOfStream: true }), Action.Pause);
  const [call] = host.callouts;
  assert.equal(host.callouts.length, 1);
  assert.equal(call.cluster, "auth");
  assert.equal(call.headers.get(":authority"), "auth.local");
  assert.equal(call.headers.get(":method"), "POST");
  assert.equal(call.headers.get("x-tag"), "a");
  assert.equal(call.headers.get("content-length"), "6");
  assert.equal(call.body.toString(), "ping:a");
  assert.deepEqual(call.trailers.entries(), [["x-call-trailer", "t"]]);
  assert.equal(call.timeoutMs, 5000);
  let r = reports(host, from);
  assert.equal(r["a.dispatch"], "0");
  assert.equal(r["a.token"], String(call.token));
  assert.equal(http.request.headersForwarded, false, "paused until the reply");

  host.respondToCallout(call, {
    status: 200,
    headers: { "x-reply": "1" },
    body: "user-42",
    trailers: { "x-rt": "z" },
  });
  r = reports(host, from);
  assert.equal(r["a.reply.token"], String(call.token));
  assert.equal(r["a.reply.counts"], "2/7/1");
  assert.equal(r["a.get_status"], "0 ");
  assert.equal(r["a.reply.headers"], ":status: 200|x-reply: 1");
  assert.equal(r["a.reply.trailers"], "x-rt: z");
  assert.equal(r["a.reply.body"], "user-42");
  assert.equal(r["a.continue"], "0");
  assert.equal(http.request.headersForwarded, true);
  assert.equal(http.request.headers.get("x-auth"), "user-42");
  assert.equal(http.sentLocalResponse, null);
});

test("replies reach the stream that made the call, in whatever order they arrive", async () => {
  const host = await load();
  const a = host.newHttpContext();
  const b = host.newHttpContext();
  a.requestHeaders(request("a"), { endOfStream: true });
  b.requestHeaders(request("b"), { endOfStream: true });
  const [ca, cb] = host.callouts;
  assert.equal(ca.headers.get("x-tag"), "a");
  assert.equal(cb.headers.get("x-tag"), "b");
  assert.notEqual(ca.token, cb.token);
  host.respondToCallout(cb, { body: "for-b" });
  assert.equal(b.request.headers.get("x-auth"), "for-b");
  assert.equal(a.request.headersForwarded, false, "a is still waiting");
  host.respondToCallout(ca, { body: "for-a" });
  assert.equal(a.request.headers.get("x-auth"), "for-a");
  assert.equal(b.request.headers.getAll("x-auth").length, 1);
});

test("a non-200 reply becomes a local response with the filter's headers and body", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders(request("d"), { endOfStream: true });
  host.respondToCallout(host.callouts[0], { status: 401, body: "bad token" });
  const reply = http.sentLocalResponse;
  assert.ok(reply);
  assert.equal(reply.status, 403);
  assert.equal(reply.body.toString(), "denied: bad token");
  assert.deepEqual(reply.headers, [["x-denied-by", "auth"]]);
  assert.equal(reply.details, "auth_denied");
  assert.equal(http.response.headers.get(":status"), "403");
  assert.equal(http.request.headersForwarded, false);
});

test("a failed callout: num_headers 0 and getCallStatus() gives BrokenConnection / reset", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders(request("f"), { endOfStream: true });
  host.respondToCallout(host.callouts[0], "reset");
  const r = reports(host, from);
  assert.equal(r["f.reply.counts"], "0/0/0");
  assert.equal(r["f.get_status"], "11 reset");
  assert.equal(http.sentLocalResponse?.status, 503);
  assert.equal(http.sentLocalResponse?.body.toString(), "callout failed: reset");
});

test("a callout timeout arrives as Envoy's 504 when the virtual clock passes it", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders(request("t", "call", { "x-timeout": "250" }), { endOfStream: true });
  assert.equal(host.callouts[0].timeoutMs, 250);
  host.tick(200);
  assert.equal(host.callouts.length, 1, "not yet");
  host.tick(100);
  assert.equal(host.callouts.length, 0);
  const r = reports(host, from);
  assert.match(r["t.reply.headers"], /^:status: 504/);
  assert.equal(http.sentLocalResponse?.body.toString(), "denied: upstream request timeout");
});

test("argument errors come back as BadArgument and no call is made", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  assert.equal(http.requestHeaders(request("e", "errors")), Action.Continue);
  const r = reports(host, from);
  assert.equal(r["unknown_cluster"], "2");
  assert.equal(r["no_authority"], "2");
  assert.equal(r["huge_timeout"], "2");
  assert.equal(r["unknown_cluster.token"], "0");
  assert.equal(host.callouts.length, 0);
});

test("a root context's own callout (from onTick) is answered to the root", async () => {
  const host = await load("tick");
  const from = mark(host);
  assert.equal(host.tick(1000), 1);
  const [call] = host.callouts;
  assert.equal(call.cluster, "stats");
  assert.equal(call.headers.has("content-length"), false, "no body, no content-length");
  host.respondToCallout(call, { body: "noted" });
  const r = reports(host, from);
  assert.equal(r["root.dispatch"], "0");
  assert.equal(r["root.reply.token"], String(call.token));
  assert.equal(r["root.reply.body"], "noted");
  assert.equal(host.tick(5000), 0, "the root stopped its timer");
});

test("a stream deleted before its reply: the reply is dropped without a trap", async () => {
  const host = await load();
  const gone = host.newHttpContext();
  gone.requestHeaders(request("gone"), { endOfStream: true });
  const [call] = host.callouts;
  gone.complete();
  const from = mark(host);
  host.respondToCallout(call, { body: "late" });
  const r = reports(host, from);
  assert.equal(r["gone.reply.token"], undefined);
  assert.equal(host.vm.failed, false);
  assert.deepEqual(host.logs("critical"), []);
  assert.equal(reports(host)["gone.deleted"], "yes");
  // The VM still serves new streams.
  const next = host.newHttpContext();
  next.requestHeaders(request("next"), { endOfStream: true });
  host.respondToCallout(host.callouts[0], { body: "ok" });
  assert.equal(next.request.headers.get("x-auth"), "ok");
});
