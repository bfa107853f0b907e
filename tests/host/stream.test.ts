// HTTP stream control and lifecycle: Envoy `source/extensions/common/wasm/context.cc`
// (sendLocalResponse, continueStream, closeStream, failStream, log/onDestroy),
// `source/common/http/conn_manager_impl.cc` (log → done → delete), cpp-host `src/context.cc`
// (DeferAfterCallActions, CHECK_FAIL_HTTP).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, encodePairs } from "../../src/host/index.js";
import { filter } from "./helpers.js";

test("send_local_response is recorded, deferred until the callback returns, and forces Stop", async () => {
  const headers = encodePairs([
    ["X-Reason", "denied"],
    ["set-cookie", "a=1"],
  ]);
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (call $log_num ${s("send")} (call $proxy_send_local_response (i32.const 403) ${s("access denied\tby policy")} ${s("go away")} ${s(headers)} (i32.const 7)))
      (call $log ${s("still in on_request_headers")})
      (i32.const 0))
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
      (i32.store (i32.const 0x104) (i32.const 0))
      (drop (call $proxy_get_header_map_value (i32.const 2) ${s(":status")} (i32.const 0x100) (i32.const 0x104)))
      (call $log_str ${s("response_headers sees :status")})
      (drop (call $proxy_add_header_map_value (i32.const 2) ${s("x-filter")} ${s("saw-it")}))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  const events: string[] = [];
  const action = http.requestHeaders({ ":path": "/admin" }, { endOfStream: true });
  assert.equal(action, Action.Pause); // Continue was returned, Stop is forced
  assert.equal(http.lastStatus?.callback, "proxy_on_request_headers");
  assert.equal(http.lastStatus?.raw, 0);
  assert.equal(http.lastStatus?.status, "StopAllIterationAndWatermark");
  // deferred: the reply happens after the callback's own log line
  assert.deepEqual(host.logs(), [
    "send=0",
    "still in on_request_headers",
    "response_headers sees :status=403",
  ]);
  const r = http.sentLocalResponse!;
  assert.equal(r.status, 403);
  assert.equal(r.body.toString(), "go away");
  assert.equal(r.details, "access_denied_by_policy");
  assert.equal(r.grpcStatus, 7);
  assert.deepEqual(r.headers, [
    ["x-reason", "denied"],
    ["set-cookie", "a=1"],
  ]);
  assert.equal(http.state, "localReply");
  assert.equal(http.request.headersForwarded, false);
  // the reply went through the filter's response path (Envoy sendLocalReplyViaFilterChain)
  assert.equal(http.response.headers.get(":status"), "403");
  assert.equal(http.response.headers.get("x-filter"), "saw-it");
  assert.equal(http.response.text(), "go away");
  assert.equal(http.response.headers.get("content-length"), "7");
  void events;
});

test("a grpc_status outside 0..16 means none; localReplyThroughFilter: false skips the filter", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (drop (call $proxy_send_local_response (i32.const 500) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const -1)))
      (i32.const 0))
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
      (call $log ${s("response_headers")}) (i32.const 0))`,
  );
  const host = await Host.load(wasm, { localReplyThroughFilter: false });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  assert.equal(http.sentLocalResponse?.grpcStatus, null);
  assert.equal(http.sentLocalResponse?.details, "");
  assert.deepEqual(host.logs(), []);
  assert.equal(http.response.headers.get(":status"), "500");
});

test("send_local_response on a root context is Ok and does nothing", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      (call $log_num ${s("send")} (call $proxy_send_local_response (i32.const 403) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const -1)))
      (i32.const 1))`,
  );
  const host = await Host.load(wasm);
  assert.deepEqual(host.logs(), ["send=0"]);
});

test("continue_stream is deferred: the callback's Pause is returned, then the stream continues", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (call $log_num ${s("continue")} (call $proxy_continue_stream (i32.const 0)))
      (call $log ${s("after continue")})
      (i32.const 1))
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
      (call $log_num ${s("upstream")} (call $proxy_continue_stream (i32.const 3)))
      (call $log_num ${s("bad")} (call $proxy_continue_stream (i32.const 4)))
      (call $log_num ${s("close_bad")} (call $proxy_close_stream (i32.const 4)))
      (call $log_num ${s("downstream")} (call $proxy_continue_stream (i32.const 2)))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const order: string[] = [];
  const http = host.newHttpContext({
    onRequestHeaders: () => order.push(`forwarded after ${host.logs().length} log lines`),
  });
  assert.equal(http.requestHeaders({ ":path": "/" }, { endOfStream: true }), Action.Pause);
  assert.deepEqual(order, ["forwarded after 2 log lines"]);
  assert.equal(http.request.paused, false);
  assert.equal(http.request.ended, true);
  http.responseHeaders({ ":status": "200" });
  // ⚠ Envoy: Unimplemented for UPSTREAM
  assert.deepEqual(host.logs().slice(2), ["upstream=12", "bad=2", "close_bad=2", "downstream=0"]);
});

test("close_stream resets the stream after the callback returns, with details wasm_close_stream", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
      (call $log_num ${s("close")} (call $proxy_close_stream (i32.const 0)))
      (call $log ${s("after close")})
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const resets: string[] = [];
  const http = host.newHttpContext({
    onReset: (d) => resets.push(`${d} after ${host.logs().length}`),
  });
  http.requestHeaders({ ":path": "/" });
  http.requestBody("x", { endOfStream: true });
  assert.equal(http.state, "reset");
  assert.equal(http.resetDetails, "wasm_close_stream");
  assert.deepEqual(resets, ["wasm_close_stream after 2"]);
});

const TRACE_ALL = (s: (v: string) => string) => `
  (func (export "proxy_on_context_create") (param $a i32) (param $b i32)
    (call $trace ${s("context_create")} (i32.const 2) (local.get $a) (local.get $b) (i32.const 0)))
  (func (export "proxy_on_request_headers") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (call $trace ${s("request_headers")} (i32.const 3) (local.get $a) (local.get $b) (local.get $c)) (i32.const 0))
  (func (export "proxy_on_request_body") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (call $trace ${s("request_body")} (i32.const 3) (local.get $a) (local.get $b) (local.get $c)) (i32.const 0))
  (func (export "proxy_on_request_trailers") (param $a i32) (param $b i32) (result i32)
    (call $trace ${s("request_trailers")} (i32.const 2) (local.get $a) (local.get $b) (i32.const 0)) (i32.const 0))
  (func (export "proxy_on_response_headers") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (call $trace ${s("response_headers")} (i32.const 3) (local.get $a) (local.get $b) (local.get $c)) (i32.const 0))
  (func (export "proxy_on_response_body") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (call $trace ${s("response_body")} (i32.const 3) (local.get $a) (local.get $b) (local.get $c)) (i32.const 0))
  (func (export "proxy_on_response_trailers") (param $a i32) (param $b i32) (result i32)
    (call $trace ${s("response_trailers")} (i32.const 2) (local.get $a) (local.get $b) (i32.const 0)) (i32.const 0))
  (func (export "proxy_on_log") (param $a i32)
    (call $trace ${s("log")} (i32.const 1) (local.get $a) (i32.const 0) (i32.const 0)))
  (func (export "proxy_on_done") (param $a i32) (result i32)
    (call $trace ${s("done")} (i32.const 1) (local.get $a) (i32.const 0) (i32.const 0)) (i32.const 0))
  (func (export "proxy_on_delete") (param $a i32)
    (call $trace ${s("delete")} (i32.const 1) (local.get $a) (i32.const 0) (i32.const 0)))`;

test("HTTP lifecycle in Envoy's order, ending log → done → delete (conn_manager_impl.cc)", async () => {
  const wasm = await filter(({ s }) => TRACE_ALL(s));
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", ":method": "POST" });
  http.requestBody("abc");
  http.requestBody("de", { endOfStream: false });
  http.requestTrailers({ t: "1" });
  http.responseHeaders({ ":status": "200" });
  http.responseBody("xyz", { endOfStream: true });
  http.complete();
  assert.deepEqual(host.logs(), [
    "context_create(1,0)",
    "context_create(2,1)",
    "request_headers(2,2,0)",
    "request_body(2,3,0)",
    "request_body(2,2,0)",
    "request_trailers(2,1)",
    "response_headers(2,1,0)",
    "response_body(2,3,1)",
    "log(2)",
    "done(2)", // false is ignored for streams: delete follows
    "delete(2)",
  ]);
  assert.equal(http.state, "completed");
  // ids come from the VM's counter: the next stream is 3
  const next = host.newHttpContext();
  next.complete();
  assert.deepEqual(host.logs().slice(11), [
    "context_create(3,1)",
    "log(3)",
    "done(3)",
    "delete(3)",
  ]);
});

test("a trap in a callback fails the stream closed (503 wasm_fail_stream) and the VM; later streams too", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func $boom (unreachable))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (call $log ${s("before trap")})
      (call $boom)
      (i32.const 0))`,
  );
  const host = await Host.load(wasm, { traceCalls: true });
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/" }), Action.Pause);
  assert.equal(http.lastStatus?.raw, "failed");
  assert.equal(http.sentLocalResponse?.status, 503);
  assert.equal(http.sentLocalResponse?.details, "wasm_fail_stream");
  assert.equal(http.response.headers.get(":status"), "503");
  assert.equal(host.vm.failed, true);
  const critical = host.logs("critical");
  assert.equal(critical.length, 1);
  assert.match(
    critical[0],
    /^Function: proxy_on_request_headers failed: Uncaught RuntimeError: unreachable/,
  );
  assert.match(critical[0], /backtrace:\n {2}0: .*boom/);
  const calls = host.callTrace.length;
  assert.ok(host.callTrace.includes("proxy_on_request_headers(2,1,0)"));
  const later = host.newHttpContext();
  assert.equal(later.requestHeaders({ ":path": "/" }), Action.Pause);
  assert.equal(later.sentLocalResponse?.details, "wasm_fail_stream");
  later.complete();
  assert.equal(host.callTrace.length, calls); // a failed VM is not called again
  assert.deepEqual(host.logs("info"), ["before trap"]);
});

test("fail_open: a trapped VM lets streams continue without a local reply", async () => {
  const wasm = await filter(
    `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (unreachable))`,
  );
  const host = await Host.load(wasm, { failOpen: true });
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/" }, { endOfStream: true }), Action.Continue);
  assert.equal(http.sentLocalResponse, null);
  assert.equal(http.request.headersForwarded, true);
  assert.equal(host.vm.failed, true);
  const later = host.newHttpContext();
  assert.equal(later.requestHeaders({ ":path": "/" }), Action.Continue);
  assert.equal(later.requestBody("b", { endOfStream: true }), Action.Continue);
  assert.equal(later.request.text(), "b");
});

test("a trap outside a stream (on_tick) fails the VM; the next stream gets the 503", async () => {
  const wasm = await filter(
    `(func (export "proxy_on_configure") (param i32 i32) (result i32)
       (drop (call $proxy_set_tick_period_milliseconds (i32.const 10))) (i32.const 1))
     (func (export "proxy_on_tick") (param i32) (unreachable))`,
  );
  const host = await Host.load(wasm);
  assert.equal(host.tick(10), 1);
  assert.match(host.logs("critical")[0], /Function: proxy_on_tick failed/);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  assert.equal(http.sentLocalResponse?.status, 503);
});

test("a hostcall trapping inside the host (proc_exit) is contained like any trap", async () => {
  const wasm = await filter(
    `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
       (call $proc_exit (i32.const 3)) (i32.const 0))`,
    { extra: `(import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))` },
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({});
  assert.equal(http.sentLocalResponse?.details, "wasm_fail_stream");
  assert.match(host.logs("critical")[0], /proc_exit\(3\)/);
});

test("a local reply from on_response_headers replaces the upstream response directly (FilterManager sendDirectLocalReply)", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
      (call $log ${s("response_headers")})
      (drop (call $proxy_send_local_response (i32.const 502) ${s("bad upstream")} ${s("replaced")} (i32.const 0) (i32.const 0) (i32.const -1)))
      (i32.const 0))
    (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32)
      (call $log ${s("response_body")}) (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" }, { endOfStream: true });
  assert.equal(http.responseHeaders({ ":status": "200", upstream: "yes" }), Action.Pause);
  // later upstream events no longer reach the filter
  assert.equal(http.responseBody("upstream body", { endOfStream: true }), Action.Pause);
  assert.deepEqual(host.logs(), ["response_headers"]);
  assert.equal(http.state, "localReply");
  assert.equal(http.response.headers.get(":status"), "502");
  assert.equal(http.response.headers.has("upstream"), false);
  assert.equal(http.response.text(), "replaced");
  assert.equal(http.sentLocalResponse?.details, "bad_upstream");
  http.complete();
  assert.equal(http.state, "completed");
  assert.throws(() => http.requestTrailers({}), /completed/);
});
