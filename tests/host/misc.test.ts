// Metrics (Envoy `context.cc` defineMetric / incrementMetric / recordMetric / getMetric), ticks
// (Envoy `wasm.cc` tickers), foreign functions (`foreign.cc`), log level, effective context and
// proxy_done / root shutdown (cpp-host `src/wasm.cc` / `src/context.cc`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, WasmResult } from "../../src/host/index.js";
import { filter } from "./helpers.js";

test("metrics: ids by type, counter/gauge/histogram rules, get, unknown ids", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func $define (param $t i32) (param $p i32) (param $l i32) (result i32)
      (i32.store (i32.const 0x108) (i32.const 0))
      (call $log_num ${s("define")} (call $proxy_define_metric (local.get $t) (local.get $p) (local.get $l) (i32.const 0x108)))
      (call $log_num ${s("id")} (i32.load (i32.const 0x108)))
      (i32.load (i32.const 0x108)))
    (func $get (param $id i32)
      (i64.store (i32.const 0x110) (i64.const 0))
      (call $log_num ${s("get")} (call $proxy_get_metric (local.get $id) (i32.const 0x110)))
      (call $log_num64 ${s("value")} (i64.load (i32.const 0x110))))
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (local $c i32) (local $g i32) (local $h i32) (local $c2 i32)
      (local.set $c (call $define (i32.const 0) ${s("requests")}))
      (local.set $g (call $define (i32.const 1) ${s("active")}))
      (local.set $h (call $define (i32.const 2) ${s("latency")}))
      (local.set $c2 (call $define (i32.const 0) ${s("requests")}))
      (drop (call $define (i32.const 3) ${s("bad_type")}))
      (call $log_num ${s("inc_c")} (call $proxy_increment_metric (local.get $c) (i64.const 3)))
      (call $log_num ${s("inc_c_zero")} (call $proxy_increment_metric (local.get $c) (i64.const 0)))
      (call $log_num ${s("inc_c_neg")} (call $proxy_increment_metric (local.get $c) (i64.const -1)))
      (call $log_num ${s("rec_c")} (call $proxy_record_metric (local.get $c) (i64.const 10)))
      (call $log_num ${s("inc_c2")} (call $proxy_increment_metric (local.get $c2) (i64.const 1)))
      (call $get (local.get $c))
      (call $log_num ${s("rec_g")} (call $proxy_record_metric (local.get $g) (i64.const 7)))
      (call $log_num ${s("inc_g")} (call $proxy_increment_metric (local.get $g) (i64.const -2)))
      (call $get (local.get $g))
      (call $log_num ${s("rec_h")} (call $proxy_record_metric (local.get $h) (i64.const 100)))
      (call $log_num ${s("rec_h")} (call $proxy_record_metric (local.get $h) (i64.const 200)))
      (call $log_num ${s("inc_h")} (call $proxy_increment_metric (local.get $h) (i64.const 1)))
      (call $log_num ${s("get_h")} (call $proxy_get_metric (local.get $h) (i32.const 0x110)))
      (call $log_num ${s("inc_unknown")} (call $proxy_increment_metric (i32.const 99) (i64.const 1)))
      (call $log_num ${s("rec_unknown")} (call $proxy_record_metric (i32.const 99) (i64.const 1)))
      (call $log_num ${s("get_unknown")} (call $proxy_get_metric (i32.const 99) (i32.const 0x110)))
      (i32.const 1))`,
  );
  const host = await Host.load(wasm);
  assert.deepEqual(host.logs(), [
    "define=0",
    "id=4",
    "define=0",
    "id=5",
    "define=0",
    "id=6",
    "define=0",
    "id=8", // redefining gives a new id for the same stat
    "define=2",
    "id=0",
    "inc_c=0",
    "inc_c_zero=2",
    "inc_c_neg=2",
    "rec_c=0", // ⚠ record on a counter adds
    "inc_c2=0",
    "get=0",
    "value=14",
    "rec_g=0",
    "inc_g=0",
    "get=0",
    "value=5",
    "rec_h=0",
    "rec_h=0",
    "inc_h=2",
    "get_h=2",
    "inc_unknown=1",
    "rec_unknown=1",
    "get_unknown=1",
  ]);
  assert.deepEqual(host.metric("requests"), { type: "counter", value: 14, values: [] });
  assert.equal(host.metric("wasmcustom.active")?.value, 5);
  assert.deepEqual(host.metric("latency")?.values, [100, 200]);
  assert.equal(host.metric("nope"), undefined);
});

const TICKER = (s: (v: string) => string) => `
  (global $n (mut i32) (i32.const 0))
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (drop (call $proxy_set_tick_period_milliseconds (i32.const 100))) (i32.const 1))
  (func (export "proxy_on_tick") (param $root i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (drop (call $proxy_get_current_time_nanoseconds (i32.const 0x110)))
    (call $trace ${s("tick")} (i32.const 2) (local.get $root) (global.get $n) (i32.const 0))
    (call $log_num64 ${s("now")} (i64.load (i32.const 0x110)))
    (if (i32.eq (global.get $n) (i32.const 3))
      (then (drop (call $proxy_set_tick_period_milliseconds (i32.const 0))))))`;

test("ticks run on the virtual clock: first one period after set, re-armed, 0 disables", async () => {
  const start = Date.parse("2030-01-01T00:00:00Z");
  const host = await Host.load(await filter(({ s }) => TICKER(s)), { time: start });
  const ns = (ms: number) => (BigInt(start + ms) * 1000000n).toString();
  assert.equal(host.tick(99), 0);
  assert.equal(host.tick(151), 2); // at 100 and 200
  assert.equal(host.tick(), 1); // to the next timer: 300, where the filter turns it off
  assert.equal(host.tick(1000), 0);
  assert.deepEqual(host.logs(), [
    "tick(1,1)",
    `now=${ns(100)}`,
    "tick(1,2)",
    `now=${ns(200)}`,
    "tick(1,3)",
    `now=${ns(300)}`,
  ]);
  assert.equal(host.clock.now(), start + 1300);
});

test("each root context has its own timer", async () => {
  const wasm = await filter(({ s }) => TICKER(s));
  const host = await Host.load(wasm, { rootId: "a" });
  host.clock.advance(50);
  const b = host.addPlugin({ rootId: "b" });
  assert.equal(host.tick(200), 4); // a at 100, 200; b at 150, 250
  assert.deepEqual(
    host.logs().filter((l) => l.startsWith("tick")),
    ["tick(1,1)", `tick(${b.id},2)`, "tick(1,3)", `tick(${b.id},4)`],
  );
  // the third tick turned a's timer off (the counter is shared by the VM); b goes on
  assert.equal(host.tick(100), 1);
  assert.equal(
    host
      .logs()
      .filter((l) => l.startsWith("tick"))
      .at(-1),
    `tick(${b.id},5)`,
  );
});

test("foreign functions registered by the test; NotFound when unregistered", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      (i32.store (i32.const 0x104) (i32.const 0))
      (call $log_num ${s("upper")} (call $proxy_call_foreign_function ${s("upper")} ${s("abc")} (i32.const 0x100) (i32.const 0x104)))
      (call $log_str ${s("result")})
      (call $log_num ${s("missing")} (call $proxy_call_foreign_function ${s("missing")} ${s("abc")} (i32.const 0x100) (i32.const 0x104)))
      (call $log_num ${s("refuses")} (call $proxy_call_foreign_function ${s("refuses")} (i32.const 0) (i32.const 0) (i32.const 0x100) (i32.const 0x104)))
      (i32.const 1))`,
  );
  const seen: string[] = [];
  const host = await Host.load(wasm, {
    foreignFunctions: {
      upper: (args, info) => {
        seen.push(`${args.toString()}@${info.context?.id}`);
        return args.toString().toUpperCase();
      },
    },
  });
  host.registerForeignFunction("refuses", () => WasmResult.BadArgument);
  const mark = host.logs().length;
  host.addPlugin({ rootId: "again" });
  assert.deepEqual(host.logs().slice(mark), ["upper=0", "result=ABC", "missing=1", "refuses=2"]);
  // before "refuses" was registered it was NotFound
  assert.deepEqual(host.logs().slice(0, mark), ["upper=0", "result=ABC", "missing=1", "refuses=1"]);
  assert.deepEqual(seen, ["abc@1", "abc@2"]);
});

test("log level: proxy_get_log_level reports it, lower lines are dropped, level > 5 is BadArgument", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_get_log_level (i32.const 0x108)))
      (drop (call $proxy_log (i32.const 3) ${s("level is")}))
      (call $log_num ${s("level")} (i32.load (i32.const 0x108)))
      (drop (call $proxy_log (i32.const 1) ${s("debug line")}))
      (drop (call $proxy_log (i32.const 4) ${s("error line")}))
      (drop (call $proxy_log (i32.const 5) ${s("critical line")}))
      (i32.store (i32.const 0x108) (call $proxy_log (i32.const 6) ${s("bad level")}))
      (drop (call $proxy_log (i32.const 3) ${s("bad level result")}))
      (i32.const 1))`,
  );
  const host = await Host.load(wasm, { logLevel: "warn" });
  // $log_num logs at info (2), below warn: dropped
  assert.deepEqual(host.logs(), ["level is", "error line", "critical line", "bad level result"]);
  assert.deepEqual(host.logs("error"), ["error line"]);
  assert.deepEqual(host.logs("critical"), ["critical line"]);
  const all = await Host.load(wasm, { logLevel: "trace" });
  assert.ok(all.logs("info").includes("level=0"));
  const info = await Host.load(wasm, { logLevel: "info" });
  assert.ok(info.logs("info").includes("level=2"));
  assert.ok(!info.logs().includes("debug line"));
});

test("set_effective_context: BadArgument for an unknown id, reset at every host→VM call", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 1))
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_set_tick_period_milliseconds (i32.const 10))) (i32.const 1))
    (global $n (mut i32) (i32.const 0))
    (func (export "proxy_on_tick") (param i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1)))
      (call $log_num ${s("unknown")} (call $proxy_set_effective_context (i32.const 999)))
      (if (i32.eq (global.get $n) (i32.const 1))
        (then (call $log_num ${s("switch")} (call $proxy_set_effective_context (i32.const 2)))))
      (call $log_num ${s("add")} (call $proxy_add_header_map_value (i32.const 0) ${s("tick")} ${s("1")})))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  host.tick(20);
  assert.deepEqual(host.logs(), [
    "unknown=2",
    "switch=0",
    "add=0", // on the stream
    "unknown=2",
    "add=2", // the next call starts on the root again: no request headers there
  ]);
  assert.deepEqual(http.request.headers.getAll("tick"), ["1"]);
});

test("shutdown: on_done of every root; false waits for proxy_done, then on_delete after that call", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_configure") (param $root i32) (param i32) (result i32)
      (call $log_num ${s("done_early")} (call $proxy_done))
      (drop (call $proxy_set_tick_period_milliseconds (i32.const 10))) (i32.const 1))
    (func (export "proxy_on_done") (param $root i32) (result i32)
      (call $trace ${s("on_done")} (i32.const 1) (local.get $root) (i32.const 0) (i32.const 0))
      (i32.ne (local.get $root) (i32.const 1)))
    (func (export "proxy_on_tick") (param $root i32)
      (call $trace ${s("tick")} (i32.const 1) (local.get $root) (i32.const 0) (i32.const 0))
      (call $log_num ${s("proxy_done")} (call $proxy_done))
      (call $log ${s("after proxy_done")}))
    (func (export "proxy_on_delete") (param $root i32)
      (call $trace ${s("on_delete")} (i32.const 1) (local.get $root) (i32.const 0) (i32.const 0)))`,
  );
  const host = await Host.load(wasm, { rootId: "a" });
  const b = host.addPlugin({ rootId: "b" });
  assert.deepEqual(host.logs(), ["done_early=1", "done_early=1"]); // NotFound: not pending done
  const mark = host.logs().length;
  host.shutdown();
  assert.deepEqual(host.logs().slice(mark), [
    "on_done(1)",
    `on_done(${b.id})`,
    `on_delete(${b.id})`,
  ]);
  assert.equal(host.plugin.state, "draining");
  assert.equal(b.state, "deleted");
  assert.throws(() => host.newHttpContext(), /draining/);
  host.tick(10);
  assert.deepEqual(host.logs().slice(mark + 3), [
    "tick(1)",
    "proxy_done=0",
    "after proxy_done",
    "on_delete(1)",
  ]);
  assert.equal(host.plugin.state, "deleted");
  assert.equal(host.tick(100), 0); // deleted roots no longer tick
});

test("several plugins in one VM: their own root ids, configs and streams", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
      (drop (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (i32.const 100) (i32.const 0x100) (i32.const 0x104)))
      (call $log_str ${s("config")}) (i32.const 1))
    (func (export "proxy_on_context_create") (param $c i32) (param $p i32)
      (call $trace ${s("create")} (i32.const 2) (local.get $c) (local.get $p) (i32.const 0)))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (drop (call $proxy_get_property ${s("plugin_root_id")} (i32.const 0x100) (i32.const 0x104)))
      (call $log_str ${s("root_id")}) (i32.const 0))`,
  );
  const host = await Host.load(wasm, { rootId: "one", pluginConfig: "cfg1" });
  const two = host.addPlugin({ rootId: "two", pluginConfig: "cfg2" });
  assert.equal(host.addPlugin({ rootId: "two" }), two); // same root id: the same context
  two.newHttpContext().requestHeaders({});
  host.newHttpContext().requestHeaders({});
  assert.deepEqual(host.logs(), [
    "create(1,0)",
    "config=cfg1",
    "create(2,0)",
    "config=cfg2",
    "create(3,2)",
    "root_id=two",
    "create(4,1)",
    "root_id=one",
  ]);
});
