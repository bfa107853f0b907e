// gRPC wrappers: unary calls (success and failure), streams (send, metadata, messages, close),
// cancel / close, argument errors; callbacks routed to the stream that started the call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, Action } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("grpc");
const load = () => Host.load(wasm, { rootId: "grpc", clusters: ["grpc"] });
const request = (testCase: string, tag = "g") => ({
  ":path": "/",
  "x-case": testCase,
  "x-tag": tag,
});

test("unary call: service, method, metadata and message reach the host; the reply resumes the stream", async () => {
  const host = await load();
  const a = host.newHttpContext();
  const b = host.newHttpContext();
  const from = mark(host);
  assert.equal(a.requestHeaders(request("unary", "a"), { endOfStream: true }), Action.Pause);
  assert.equal(b.requestHeaders(request("unary", "b"), { endOfStream: true }), Action.Pause);
  const [ca, cb] = host.grpcCalls;
  assert.equal(ca.kind, "call");
  assert.equal(ca.cluster, "grpc");
  assert.equal(ca.service, "pkg.Auth");
  assert.equal(ca.method, "Check");
  assert.equal(ca.initialMetadata.get("x-md"), "a");
  assert.equal(ca.message?.toString(), "req:a");
  assert.equal(ca.timeoutMs, 2000);
  assert.equal(ca.token & 3, 1, "gRPC call tokens are 1 mod 4");
  let r = reports(host, from);
  assert.equal(r["a.dispatch"], "0");
  assert.equal(r["a.token"], String(ca.token));
  host.respondToGrpcCall(cb, "for-b");
  host.respondToGrpcCall(ca, "for-a");
  r = reports(host, from);
  assert.equal(r["a.receive.token"], String(ca.token));
  assert.equal(r["a.receive.size"], "5");
  assert.equal(r["a.receive.message"], "[for-a]");
  assert.equal(r["a.receive.status"], "0 ");
  assert.equal(a.request.headers.get("x-grpc"), "for-a");
  assert.equal(b.request.headers.get("x-grpc"), "for-b");
  assert.equal(host.grpcCalls.length, 0);
});

test("unary failure: onGrpcClose with the status, get_status has the message; local reply with grpc-status", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders(request("unary", "f"), { endOfStream: true });
  const [call] = host.grpcCalls;
  host.closeGrpcCall(call, 14, "upstream unavailable");
  const r = reports(host, from);
  assert.equal(r["f.close.token"], String(call.token));
  assert.equal(r["f.close.code"], "14");
  assert.equal(r["f.close.status"], "14 upstream unavailable");
  assert.equal(r["f.receive.message"], undefined, "never both receive and close");
  const reply = http.sentLocalResponse;
  assert.equal(reply?.status, 503);
  assert.equal(reply?.grpcStatus, 14);
  assert.equal(reply?.details, "grpc_failed");
  assert.equal(reply?.body.toString(), "grpc 14: upstream unavailable");
});

test("stream: messages sent from the body, then initial metadata, messages, trailing metadata, close", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  assert.equal(http.requestHeaders(request("stream", "s")), Action.Continue);
  const [call] = host.grpcCalls;
  assert.equal(call.kind, "stream");
  assert.equal(call.service, "pkg.Chat");
  assert.equal(call.method, "Talk");
  assert.equal(call.token & 3, 2, "gRPC stream tokens are 2 mod 4");
  http.requestBody("12345");
  http.requestBody("123", { endOfStream: true });
  assert.deepEqual(
    call.sent.map((m) => m.toString()),
    ["msg5", "msg3"],
  );
  assert.equal(call.localClosed, true, "end_stream on the last send");
  host.grpcStreamInitialMetadata(call, { "x-init": "hello", other: "1" });
  host.grpcStreamMessage(call, "first");
  host.grpcStreamMessage(call, "second");
  host.grpcStreamTrailingMetadata(call, { "x-trail": "bye" });
  host.closeGrpcCall(call, 0, "");
  const r = reports(host, from);
  assert.equal(r["s.open"], "0");
  assert.equal(r["s.send"], "0");
  assert.equal(r["body.initial_metadata"], "null");
  assert.equal(r["s.initial.token"], String(call.token));
  assert.equal(r["s.initial.count"], "2");
  assert.equal(r["s.initial.x-init"], "[hello]");
  assert.equal(r["s.receive.message"], "[second]");
  assert.equal(
    host.logs().filter((l) => l.startsWith("s.receive.message=")).length,
    2,
    "each message delivered",
  );
  assert.equal(r["s.trailing.count"], "1");
  assert.equal(r["s.trailing.x-trail"], "[bye]");
  assert.equal(r["s.close.code"], "0");
  assert.equal(host.grpcCalls.length, 0);
});

test("cancel and close forget the call: a second time is NotFound, sending is NotFound", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders(request("cancel"));
  const r = reports(host, from);
  assert.equal(r["cancel"], "0");
  assert.equal(r["cancel.again"], "1");
  assert.equal(r["send.cancelled"], "1");
  assert.equal(r["close"], "0");
  assert.equal(r["close.again"], "1");
  assert.equal(host.grpcCalls.length, 0);
});

test("errors: unknown cluster is ParseFailure, send on a unary token BadArgument, unknown stream NotFound", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders(request("errors"));
  const r = reports(host, from);
  assert.equal(r["unknown_cluster"], "4");
  assert.equal(r["unknown_cluster.stream"], "4");
  assert.equal(r["send.unary"], "2");
  assert.equal(r["send.unknown"], "1");
  assert.equal(r["cancel.badtoken"], "2");
});

test("a root context's own gRPC call and stream (grpcCall / grpcStream with the root as origin)", async () => {
  const host = await Host.load(wasm, { rootId: "grpc", clusters: ["grpc"], pluginConfig: "root" });
  const from = mark(host);
  host.tick(10);
  const [call, stream] = host.grpcCalls;
  assert.equal(call.kind, "call");
  assert.equal(call.method, "Report");
  assert.equal(call.message?.length, 2);
  assert.equal(stream.kind, "stream");
  assert.equal(stream.method, "Watch");
  host.grpcStreamMessage(stream, "update");
  host.respondToGrpcCall(call, "done");
  host.closeGrpcCall(stream, 2, "gone");
  const r = reports(host, from);
  assert.equal(r["root.call"], "0");
  assert.equal(r["root.stream"], "0");
  assert.deepEqual(
    host.logs().filter((l) => l.startsWith("root.receive=")),
    [`root.receive=${stream.token}:[update]`, `root.receive=${call.token}:[done]`],
  );
  assert.equal(r["root.close"], `${stream.token}:2`);
});

test("grpcClose on a stream only half-closes it: messages and the close still arrive", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders(request("half-close", "h"));
  assert.equal(reports(host, from)["h.half-close"], "0");
  const [stream] = host.grpcCalls;
  assert.ok(stream, "the stream is still open from the remote side");
  assert.equal(stream.localClosed, true);
  host.grpcStreamMessage(stream, "still listening");
  host.closeGrpcCall(stream, 0);
  const r = reports(host, from);
  assert.equal(r["h.receive.message"], "[still listening]");
  assert.equal(r["h.close.code"], "0");
});
