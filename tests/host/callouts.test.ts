// HTTP and gRPC callouts: Envoy `source/extensions/common/wasm/context.cc` (httpCall,
// onHttpCallSuccess/Failure, grpcCall, grpcStream, grpcSend, grpcCancel, grpcClose and the
// gRPC handlers), token numbering from Envoy `wasm.h`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, encodePairs } from "../../src/host/index.js";
import { filter } from "./helpers.js";

const GOOD = encodePairs([
  [":method", "GET"],
  [":path", "/auth"],
  [":authority", "auth.local"],
]);

/** WAT: proxy_http_call(cluster, headers, body, no trailers, timeout) → logs "<label>=<r>" and the token. */
function httpCall(
  s: (v: string | Uint8Array) => string,
  label: string,
  cluster: string,
  headers: Uint8Array,
  body = "",
  timeout = 1000,
): string {
  return `
    (i32.store (i32.const 0x108) (i32.const 0))
    (call $log_num ${s(label)} (call $proxy_http_call ${s(cluster)} ${s(headers)} ${body ? s(body) : "(i32.const 0) (i32.const 0)"} (i32.const 0) (i32.const 0) (i32.const ${timeout}) (i32.const 0x108)))
    (call $log_num ${s(label + ".token")} (i32.load (i32.const 0x108)))`;
}

test("http_call validates cluster, :method/:path/:authority and the timeout; tokens are 4, 8, 12", async () => {
  const noAuthority = encodePairs([
    [":method", "GET"],
    [":path", "/"],
  ]);
  const noPath = encodePairs([
    [":method", "GET"],
    [":authority", "a"],
  ]);
  const noMethod = encodePairs([
    [":path", "/"],
    [":authority", "a"],
  ]);
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      ${httpCall(s, "unknown_cluster", "nope", GOOD)}
      ${httpCall(s, "no_authority", "auth", noAuthority)}
      ${httpCall(s, "no_path", "auth", noPath)}
      ${httpCall(s, "no_method", "auth", noMethod)}
      ${httpCall(s, "timeout_2_31", "auth", GOOD, "", 0x80000000)}
      ${httpCall(s, "ok1", "auth", GOOD, "payload", 0x7fffffff)}
      ${httpCall(s, "ok2", "auth", GOOD)}
      ${httpCall(s, "ok3", "auth", GOOD)}
      (i32.const 1))`,
  );
  const host = await Host.load(wasm, { clusters: ["auth"] });
  assert.deepEqual(host.logs(), [
    "unknown_cluster=2",
    "unknown_cluster.token=0",
    "no_authority=2",
    "no_authority.token=0",
    "no_path=2",
    "no_path.token=0",
    "no_method=2",
    "no_method.token=0",
    "timeout_2_31=2",
    "timeout_2_31.token=0",
    "ok1=0",
    "ok1.token=4",
    "ok2=0",
    "ok2.token=8",
    "ok3=0",
    "ok3.token=12",
  ]);
  const [first] = host.callouts;
  assert.equal(first.token, 4);
  assert.equal(first.cluster, "auth");
  assert.equal(first.body.toString(), "payload");
  assert.equal(first.headers.get(":path"), "/auth");
  assert.equal(first.headers.get("content-length"), "7"); // a body sets content-length
  assert.equal(first.timeoutMs, 0x7fffffff);
  assert.equal(first.timeout, 0x7fffffff);
  assert.deepEqual(
    host.callouts.map((c) => c.token),
    [4, 8, 12],
  );
});

test("without a clusters option any cluster name is accepted", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      ${httpCall(s, "any", "whatever_cluster", GOOD)} (i32.const 1))`,
  );
  const host = await Host.load(wasm);
  assert.deepEqual(host.logs(), ["any=0", "any.token=4"]);
});

const AUTH_FILTER = (s: (v: string | Uint8Array) => string) => `
  (global $stream (mut i32) (i32.const 0))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param i32 i32) (result i32)
    (global.set $stream (local.get $ctx))
    ${httpCall(s, "call", "auth", GOOD)}
    (i32.const 1))
  (func (export "proxy_on_http_call_response") (param $root i32) (param $token i32) (param $nh i32) (param $bs i32) (param $nt i32)
    (call $trace ${s("response")} (i32.const 3) (local.get $root) (local.get $token) (local.get $nh))
    (call $trace ${s("sizes")} (i32.const 2) (local.get $bs) (local.get $nt) (i32.const 0))
    (if (i32.eqz (local.get $nh)) (then
      (call $log_num ${s("status")} (call $proxy_get_status (i32.const 0x108) (i32.const 0x100) (i32.const 0x104)))
      (call $log_num ${s("status.code")} (i32.load (i32.const 0x108)))
      (call $log_str ${s("status.msg")})
      (drop (call $proxy_set_effective_context (global.get $stream)))
      (drop (call $proxy_send_local_response (i32.const 503) ${s("auth unreachable")} (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const -1)))
      (return)))
    (drop (call $proxy_get_header_map_value (i32.const 6) ${s(":status")} (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s(":status")})
    (drop (call $proxy_get_buffer_bytes (i32.const 4) (i32.const 0) (i32.const 100) (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s("body")})
    (drop (call $proxy_get_header_map_value (i32.const 7) ${s("t")} (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s("trailer")})
    (call $log_num ${s("effective")} (call $proxy_set_effective_context (global.get $stream)))
    (call $log_num ${s("continue")} (call $proxy_continue_stream (i32.const 0))))
  (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
    (call $log_num ${s("later.map6")} (call $proxy_get_header_map_value (i32.const 6) ${s(":status")} (i32.const 0x100) (i32.const 0x104)))
    (call $log_num ${s("later.body4")} (call $proxy_get_buffer_bytes (i32.const 4) (i32.const 0) (i32.const 100) (i32.const 0x100) (i32.const 0x104)))
    (i32.const 0))`;

test("a callout answered by the test: on_http_call_response(root, token, …), maps 6/7 and buffer 4 only during it", async () => {
  const host = await Host.load(await filter(({ s }) => AUTH_FILTER(s)), { clusters: ["auth"] });
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/" }), Action.Pause);
  assert.equal(host.callouts.length, 1);
  const callout = host.callouts[0];
  assert.equal(callout.plugin, host.plugin);
  host.respondToCallout(callout.token, {
    headers: { "x-auth": "ok" },
    body: "granted",
    trailers: { t: "tv" },
  });
  assert.equal(host.callouts.length, 0);
  assert.equal(http.request.headersForwarded, true);
  http.requestBody("x", { endOfStream: true });
  assert.deepEqual(host.logs(), [
    "call=0",
    "call.token=4",
    "response(1,4,2)", // root id 1; :status is added to the test's headers
    "sizes(7,1)",
    ":status=200",
    "body=granted",
    "trailer=tv",
    "effective=0",
    "continue=0",
    "later.map6=2",
    "later.body4=1",
  ]);
  assert.throws(() => host.respondToCallout(4, {}), /no pending http callout/);
});

test('a failed callout is (token, 0, 0, 0) and proxy_get_status gives (11, "reset")', async () => {
  const host = await Host.load(await filter(({ s }) => AUTH_FILTER(s)));
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  host.respondToCallout(host.callouts[0], "reset");
  assert.deepEqual(host.logs().slice(2), [
    "response(1,4,0)",
    "sizes(0,0)",
    "status=0",
    "status.code=11",
    "status.msg=reset",
  ]);
  assert.equal(http.sentLocalResponse?.status, 503);
  assert.equal(http.sentLocalResponse?.details, "auth_unreachable");
});

test("a callout that outlives its timeout on the virtual clock gets a 504", async () => {
  const host = await Host.load(await filter(({ s }) => AUTH_FILTER(s)));
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  host.tick(999);
  assert.equal(host.callouts.length, 1);
  host.tick(1);
  assert.equal(host.callouts.length, 0);
  assert.ok(host.logs().includes(":status=504"));
  assert.ok(host.logs().includes("body=upstream request timeout"));
});

const GRPC = (s: (v: string | Uint8Array) => string) => `
  (func $call (param $cp i32) (param $cl i32) (param $label_p i32) (param $label_l i32)
    (i32.store (i32.const 0x108) (i32.const 0))
    (call $log_num (local.get $label_p) (local.get $label_l)
      (call $proxy_grpc_call (local.get $cp) (local.get $cl) ${s("svc.Echo")} ${s("Say")} ${s(encodePairs([["x-md", "1"]]))} ${s("hello")} (i32.const 500) (i32.const 0x108)))
    (call $log_num ${s("token")} (i32.load (i32.const 0x108))))
  (func $stream (param $label_p i32) (param $label_l i32)
    (i32.store (i32.const 0x108) (i32.const 0))
    (call $log_num (local.get $label_p) (local.get $label_l)
      (call $proxy_grpc_stream ${s("grpc")} ${s("svc.Echo")} ${s("Chat")} (i32.const 0) (i32.const 0) (i32.const 0x108)))
    (call $log_num ${s("token")} (i32.load (i32.const 0x108))))
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (call $call ${s("nope")} ${s("unknown_cluster")})
    (call $call ${s("grpc")} ${s("call")})
    (call $call ${s("grpc")} ${s("call")})
    (call $stream ${s("stream")})
    (call $stream ${s("stream")})
    (call $log_num ${s("send_on_call")} (call $proxy_grpc_send (i32.const 5) ${s("m")} (i32.const 0)))
    (call $log_num ${s("send_unknown")} (call $proxy_grpc_send (i32.const 14) ${s("m")} (i32.const 0)))
    (call $log_num ${s("send")} (call $proxy_grpc_send (i32.const 6) ${s("m1")} (i32.const 0)))
    (call $log_num ${s("send_end")} (call $proxy_grpc_send (i32.const 6) ${s("m2")} (i32.const 1)))
    (call $log_num ${s("cancel_http_token")} (call $proxy_grpc_cancel (i32.const 4)))
    (call $log_num ${s("cancel_unknown")} (call $proxy_grpc_cancel (i32.const 13)))
    (call $log_num ${s("close_stream_10")} (call $proxy_grpc_close (i32.const 10)))
    (i32.const 1))
  (func (export "proxy_on_grpc_receive_initial_metadata") (param $r i32) (param $t i32) (param $n i32)
    (call $trace ${s("initial")} (i32.const 3) (local.get $r) (local.get $t) (local.get $n))
    (drop (call $proxy_get_header_map_value (i32.const 4) ${s("k")} (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s("initial.k")}))
  (func (export "proxy_on_grpc_receive") (param $r i32) (param $t i32) (param $n i32)
    (call $trace ${s("receive")} (i32.const 3) (local.get $r) (local.get $t) (local.get $n))
    (drop (call $proxy_get_buffer_bytes (i32.const 5) (i32.const 0) (i32.const 100) (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s("receive.msg")}))
  (func (export "proxy_on_grpc_receive_trailing_metadata") (param $r i32) (param $t i32) (param $n i32)
    (call $trace ${s("trailing")} (i32.const 3) (local.get $r) (local.get $t) (local.get $n))
    (drop (call $proxy_get_header_map_value (i32.const 5) ${s("grpc-status")} (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s("trailing.status")}))
  (func (export "proxy_on_grpc_close") (param $r i32) (param $t i32) (param $st i32)
    (call $trace ${s("close")} (i32.const 3) (local.get $r) (local.get $t) (local.get $st))
    (drop (call $proxy_get_status (i32.const 0x108) (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s("close.msg")}))`;

test("gRPC: unknown cluster ParseFailure, call tokens 5, 9, stream tokens 6, 10; send/cancel/close results", async () => {
  const host = await Host.load(await filter(({ s }) => GRPC(s)), { clusters: ["grpc"] });
  assert.deepEqual(host.logs(), [
    "unknown_cluster=4",
    "token=0",
    "call=0",
    "token=5",
    "call=0",
    "token=9",
    "stream=0",
    "token=6",
    "stream=0",
    "token=10",
    "send_on_call=2",
    "send_unknown=1",
    "send=0",
    "send_end=0",
    "cancel_http_token=2",
    "cancel_unknown=1",
    "close_stream_10=0",
  ]);
  assert.deepEqual(
    host.grpcCalls.map((c) => [c.token, c.kind]),
    [
      [5, "call"],
      [9, "call"],
      [6, "stream"],
      // Closing a stream closes only our side; it stays until the remote side closes it.
      [10, "stream"],
    ],
  );
  assert.equal(host.grpcCalls[3].localClosed, true);
  const call = host.grpcCalls[0];
  assert.equal(call.service, "svc.Echo");
  assert.equal(call.method, "Say");
  assert.equal(call.message?.toString(), "hello");
  assert.equal(call.initialMetadata.get("x-md"), "1");
  assert.equal(call.timeoutMs, 500);
  const stream = host.grpcCalls[2];
  assert.deepEqual(
    stream.sent.map((b) => b.toString()),
    ["m1", "m2"],
  );
  assert.equal(stream.localClosed, true);
});

test("gRPC: a unary call gets receive or close, a stream initial → receive → trailing → close", async () => {
  const host = await Host.load(await filter(({ s }) => GRPC(s)));
  const mark = host.logs().length;
  host.respondToGrpcCall(5, "pong");
  host.closeGrpcCall(9, 14, "upstream unavailable");
  host.grpcStreamInitialMetadata(6, { k: "v" });
  host.grpcStreamMessage(6, "chunk");
  host.grpcStreamTrailingMetadata(6, { "grpc-status": "0" });
  host.closeGrpcCall(6, 0, "");
  assert.deepEqual(host.logs().slice(mark), [
    "receive(1,5,4)",
    "receive.msg=pong",
    "close(1,9,14)",
    "close.msg=upstream unavailable",
    "initial(1,6,1)",
    "initial.k=v",
    "receive(1,6,5)",
    "receive.msg=chunk",
    "trailing(1,6,1)",
    "trailing.status=0",
    "close(1,6,0)",
    "close.msg=",
  ]);
  // Only stream 10 is left: closed on our side, still open on the remote side.
  assert.deepEqual(
    host.grpcCalls.map((c) => c.token),
    [10],
  );
  assert.throws(() => host.respondToGrpcCall(5, "again"), /no open gRPC call/);
});
