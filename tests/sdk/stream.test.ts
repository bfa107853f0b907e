// Stream control: local replies (headers, details, gRPC status, through the filter's own response
// path), continueRequest / continueResponse from another context, closeRequest / closeResponse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, Action } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("stream");
const load = () => Host.load(wasm, { rootId: "stream" });

test("sendLocalResponse: status, body, headers lower-cased, details with whitespace as _", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  assert.equal(http.requestHeaders({ ":path": "/", "x-case": "local" }), Action.Pause);
  const r = reports(host, from);
  assert.equal(r["local"], "0");
  const reply = http.sentLocalResponse;
  assert.ok(reply);
  assert.equal(reply.status, 429);
  assert.equal(reply.body.toString(), "slow down");
  assert.deepEqual(reply.headers, [
    ["retry-after", "10"],
    ["x-limit", "5"],
  ]);
  assert.equal(reply.details, "too_many_requests_here");
  assert.equal(reply.grpcStatus, null);
  assert.equal(http.request.headersForwarded, false);
  // The reply passes through this filter's own onResponseHeaders.
  assert.equal(r["response.status"], "429");
  assert.equal(http.response.headers.get("retry-after"), "10");
  assert.equal(http.response.text(), "slow down");
});

test("send_local_response with a gRPC status", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", "x-case": "local-grpc" });
  assert.equal(http.sentLocalResponse?.status, 200);
  assert.equal(http.sentLocalResponse?.grpcStatus, 7);
  assert.equal(http.sentLocalResponse?.details, "denied");
});

test("continue_request / continueResponse from the root's onTick, through the effective context", async () => {
  const host = await load();
  const a = host.newHttpContext();
  const b = host.newHttpContext();
  const from = mark(host);
  assert.equal(a.requestHeaders({ ":path": "/a", "x-case": "pause" }), Action.Pause);
  assert.equal(b.requestHeaders({ ":path": "/b", "x-case": "pause" }), Action.Pause);
  assert.equal(a.requestBody("queued", { endOfStream: true }), Action.Pause);
  assert.equal(a.request.headersForwarded, false);
  host.tick(100);
  let r = reports(host, from);
  assert.equal(r["continue_request"], "0");
  assert.equal(a.request.headersForwarded, true);
  assert.equal(b.request.headersForwarded, true);
  assert.equal(r["request.body"], "6", "the queued body reached the filter after the resume");
  assert.equal(a.request.text(), "queued");
  assert.equal(a.responseHeaders({ ":status": "200" }), Action.Pause);
  assert.equal(a.response.headersForwarded, false);
  host.tick(100);
  r = reports(host, from);
  assert.equal(r["effective"], "0");
  assert.equal(r["continueResponse"], "0");
  assert.equal(a.response.headersForwarded, true);
  assert.equal(b.response.headersForwarded, false, "b's response never arrived");
});

test("continue_response (the free function) resumes the effective stream's response", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", "x-case": "pause-free" }, { endOfStream: true });
  const from = mark(host);
  assert.equal(http.responseHeaders({ ":status": "200" }), Action.Pause);
  assert.equal(http.response.headersForwarded, false);
  host.tick(100);
  assert.equal(reports(host, from)["continue_response"], "0");
  assert.equal(http.response.headersForwarded, true);
});

test("closeRequest / close_stream(Response) reset the stream", async () => {
  let host = await load();
  let http = host.newHttpContext();
  let from = mark(host);
  http.requestHeaders({ ":path": "/", "x-case": "close" });
  assert.equal(reports(host, from)["close"], "0");
  assert.equal(http.state, "reset");
  assert.equal(http.resetDetails, "wasm_close_stream");

  host = await load();
  http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", "x-case": "close-response" }, { endOfStream: true });
  from = mark(host);
  http.responseHeaders({ ":status": "200" });
  assert.equal(reports(host, from)["close.response"], "0");
  assert.equal(http.state, "reset");
});
